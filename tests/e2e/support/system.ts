import {
  type Isolation,
  isolate,
  type ReplicateStandIn,
  type StandInOptions,
  startReplicateStandIn,
  testRedisUrl,
} from "@llm-chat/testkit";
import { type RunningProcess, startApi, startWorker } from "./processes.js";

export interface System {
  api: RunningProcess & { url: string; metricsUrl: string };
  workers: RunningProcess[];
  standIn: ReplicateStandIn;
  isolation: Isolation;
  env: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<RunningProcess>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  standIn?: StandInOptions;
  env?: Record<string, string>;
  workers?: number;
}

/** The real API and worker processes on real Redis and FerretDB, with the stand-in as the model. */
export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const isolation = isolate();
  const standIn = await startReplicateStandIn(options.standIn);
  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    // The pool size recommended for the local FerretDB (.env.example).
    MONGO_URL: `${isolation.mongoUrl}?maxPoolSize=8`,
    QUEUE_PREFIX: isolation.queuePrefix,
    REPLICATE_API_TOKEN: "test-token",
    REPLICATE_BASE_URL: standIn.url,
    REPLICATE_POLL_INTERVAL_MS: "50",
    QUERY_BACKOFF_MS: "200",
    // Several workers (and APIs) run side by side: each takes a free metrics port.
    WORKER_METRICS_PORT: "0",
    API_METRICS_PORT: "0",
    JWT_SECRET: "test-secret-that-is-at-least-32-characters-long",
    // Tests register many users from one address and submit in bursts; the rate-limit
    // test sets its own, low limits.
    RATE_LIMIT_AUTH_PER_MINUTE: "100000",
    RATE_LIMIT_SUBMIT_PER_MINUTE: "100000",
    RATE_LIMIT_READ_PER_MINUTE: "100000",
    // Tests check many bad keys and passwords from one address.
    AUTH_FAILURES_PER_IP: "100000",
    AUTH_FAILURES_PER_EMAIL: "100000",
    ...options.env,
  };
  const api = await startApi(env);
  const workers: RunningProcess[] = [];
  const system: System = {
    api,
    workers,
    standIn,
    isolation,
    env,
    async startWorker(extra = {}) {
      const worker = await startWorker({ ...env, ...extra });
      workers.push(worker);
      return worker;
    },
    async stop() {
      await Promise.all([api, ...workers].map((p) => p.stop("SIGKILL")));
      await standIn.close();
      await isolation.cleanup();
    },
  };
  for (let i = 0; i < (options.workers ?? 1); i++) await system.startWorker();
  return system;
}
