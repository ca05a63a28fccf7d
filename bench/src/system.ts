import { randomBytes } from "node:crypto";
import { type ReplicateStandIn, type StandInOptions, startReplicateStandIn } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { type Db, MongoClient } from "mongodb";
import { type AppProcess, setScope, startApi, startWorker } from "./processes.js";
import { mongoBase, redisUrl } from "./services.js";
import { log } from "./util.js";

const JWT_SECRET = randomBytes(32).toString("hex");
const HIGH = "10000000";

/** A database and queue prefix of its own for each scenario run, removed afterwards. */
export interface Isolation {
  dbName: string;
  queuePrefix: string;
  mongoUrl: string;
  cleanup(): Promise<void>;
}

export function isolate(label: string): Isolation {
  const suffix = `${label}_${randomBytes(4).toString("hex")}`;
  const dbName = `llmchat_bench_${suffix}`;
  const queuePrefix = `bench-${suffix}`;
  return {
    dbName,
    queuePrefix,
    // The local recommendation (docs/performance.md): every client's pool together must stay
    // below FerretDB's PostgreSQL pool of 200 (docs/decisions.md, the pool deadlock).
    mongoUrl: `${mongoBase}/${dbName}?maxPoolSize=8`,
    async cleanup() {
      const client = new MongoClient(mongoBase, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.connect();
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
      await unlinkMatching(`${queuePrefix}:*`);
    },
  };
}

/** Removes every key of the bench's Redis matching `pattern` (bounded: 100,000 scan rounds). */
async function unlinkMatching(pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
      rounds++;
    } while (cursor !== "0" && rounds < 100_000);
  } finally {
    redis.disconnect();
  }
}

/** Databases and keys an earlier, interrupted run left on the bench's own servers. */
export async function sweepLeftovers(): Promise<number> {
  let swept = 0;
  const client = new MongoClient(mongoBase, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const { databases } = await client.db("admin").admin().listDatabases({ nameOnly: true });
    for (const { name } of databases) {
      if (!name.startsWith("llmchat_bench_")) continue;
      await client.db(name).dropDatabase();
      swept++;
    }
  } finally {
    await client.close();
  }
  await unlinkMatching("bench-*");
  return swept;
}

/** The environment every API and worker process of the bench gets. */
export function baseEnv(isolation: Isolation, standInUrl: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    REDIS_URL: redisUrl,
    MONGO_URL: isolation.mongoUrl,
    QUEUE_PREFIX: isolation.queuePrefix,
    JWT_SECRET,
    REPLICATE_API_TOKEN: "x",
    REPLICATE_BASE_URL: standInUrl,
    RATE_LIMIT_SUBMIT_PER_MINUTE: HIGH,
    RATE_LIMIT_READ_PER_MINUTE: HIGH,
    RATE_LIMIT_AUTH_PER_MINUTE: HIGH,
    MAX_OPEN_QUERIES_PER_USER: "100000",
    // The crowd scenario holds 1,000 event streams of one user at once.
    SSE_MAX_STREAMS_PER_USER: HIGH,
    SSE_MAX_STREAMS_PER_PROCESS: HIGH,
    // The shared Replicate budget (600 creates a minute by default) would otherwise be the
    // bottleneck of every scenario with more than a few hundred queries.
    REPLICATE_RATE_LIMIT_POINTS: HIGH,
    SUMMARY_ENABLED: "false",
    // A stopped worker hands running jobs back after this long instead of 25 s.
    WORKER_SHUTDOWN_TIMEOUT_MS: "2000",
  };
}

/** One scenario run: its own database, queue prefix, stand-in, API and workers. */
export interface Bench {
  isolation: Isolation;
  standIn: ReplicateStandIn;
  env: Record<string, string>;
  api: AppProcess;
  workers: AppProcess[];
  db: Db;
  addWorkers(count: number, extra?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startBench(
  label: string,
  options: {
    standIn?: StandInOptions;
    env?: Record<string, string>;
    workers?: number;
    workerEnv?: Record<string, string>;
  },
): Promise<Bench> {
  const isolation = isolate(label);
  setScope(label);
  const standIn = await startReplicateStandIn({ latencyMs: 50, ...options.standIn });
  const env = { ...baseEnv(isolation, standIn.url), ...options.env };
  const mongo = new MongoClient(isolation.mongoUrl, { serverSelectionTimeoutMS: 5000 });
  const workers: AppProcess[] = [];
  let api: AppProcess | undefined;
  const stop = async () => {
    await Promise.allSettled([api, ...workers].map((p) => p?.stop()));
    await standIn.close();
    await mongo.close();
    await isolation.cleanup().catch((error) => log(`cleanup of ${isolation.dbName} failed: ${String(error)}`));
  };
  try {
    await mongo.connect();
    api = await startApi(env);
    const bench: Bench = {
      isolation,
      standIn,
      env,
      api,
      workers,
      db: mongo.db(),
      async addWorkers(count, extra = {}) {
        // One at a time: two cores, and each start opens its connections and checks indexes.
        for (let i = 0; i < count; i++) {
          workers.push(await startWorker({ ...env, ...extra }, `worker${workers.length + 1}`));
        }
      },
      stop,
    };
    await bench.addWorkers(options.workers ?? 0, options.workerEnv);
    return bench;
  } catch (error) {
    await stop();
    throw error;
  }
}
