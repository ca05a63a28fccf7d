import { performance } from "node:perf_hooks";
import { createRedis, jobCatalog, QueueName } from "@llm-chat/queue";
import { type Job, Queue, Worker } from "bullmq";
import { MongoClient } from "mongodb";
import { redisUrl } from "../services.js";
import { isolate } from "../system.js";
import { log, pool, round, run, type Summary, sleep, summarize } from "../util.js";

export interface FloorResult {
  adds: number;
  addConcurrency: number;
  addSeconds: number;
  addsPerSecond: number;
  addLatencyMs: Summary;
  processed: number;
  workerConcurrency: number;
  processSeconds: number;
  processedPerSecond: number;
  /** One job at a time into an idle no-op worker: add called → worker's completed event. */
  addToCompletedMs: Summary;
  /** The store's floor: the service's query-path reads on a queries collection of each size. */
  store: StoreProbe[];
}

export interface StoreProbe {
  docs: number;
  /** countOpenForUser's read: countDocuments({userId, status: {$in}}), mean ms. */
  countOpenMs: number;
  /** insertNext's read: findOne({conversationId}, sort seq −1), mean ms. */
  sortedFindOneMs: number;
  /** findOne({_id}), mean ms. */
  findByIdMs: number;
  /** GET /v1/queries/:id's read, findOne({_id, userId}), of the newest queries (stored last), mean ms. */
  findNewestByIdAndUserMs: number;
  /** markSucceeded's write: updateOne({_id, status: {$in}}), mean ms. */
  updateByIdAndStatusMs: number;
  /** updateOne({_id}), mean ms. */
  updateByIdMs: number;
}

async function timeEach(times: number, body: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < times; i++) {
    run.check();
    await body(i);
  }
  return round((performance.now() - start) / times, 2);
}

/**
 * The same reads the submit and worker paths make, straight against the bench's FerretDB,
 * with the service's indexes, on a collection of finished queries of growing size.
 */
async function probeStore(): Promise<StoreProbe[]> {
  const isolation = isolate("store");
  const client = new MongoClient(isolation.mongoUrl, { serverSelectionTimeoutMS: 5000 });
  const probes: StoreProbe[] = [];
  try {
    await client.connect();
    const queries = client.db().collection<{ _id: string }>("queries");
    await queries.createIndex({ userId: 1, status: 1 }, { name: "user_status" });
    await queries.createIndex({ conversationId: 1, seq: 1 }, { unique: true, name: "conversation_seq_unique" });
    let have = 0;
    for (const docs of [200, 2000]) {
      const batch = [];
      for (let i = have; i < docs; i++) {
        batch.push({
          _id: `qry_probe${i}`,
          userId: `usr_probe${i % 4}`,
          conversationId: `conv_probe${i}`,
          seq: 0,
          status: "succeeded",
          prompt: "hi",
          output: "You said: hi",
          createdAt: new Date(),
          metrics: { queueMs: 1, modelMs: 1, totalMs: 2, inputTokens: 5, outputTokens: 3 },
        });
      }
      await queries.insertMany(batch);
      have = docs;
      probes.push({
        docs,
        countOpenMs: await timeEach(5, () =>
          queries.countDocuments({ userId: "usr_probe1", status: { $in: ["queued", "running"] } }, { limit: 100_000 }),
        ),
        sortedFindOneMs: await timeEach(5, (i) =>
          queries.findOne({ conversationId: `conv_probe${i}` }, { sort: { seq: -1 }, projection: { seq: 1 } }),
        ),
        findByIdMs: await timeEach(20, (i) => queries.findOne({ _id: `qry_probe${i}` })),
        findNewestByIdAndUserMs: await timeEach(5, (i) =>
          queries.findOne({ _id: `qry_probe${docs - 1 - i}`, userId: `usr_probe${(docs - 1 - i) % 4}` }),
        ),
        // Filters that match nothing (the probe's queries are finished): the cost is finding out.
        updateByIdAndStatusMs: await timeEach(5, (i) =>
          queries.updateOne(
            { _id: `qry_probe${i}`, status: { $in: ["queued", "running"] } },
            { $set: { output: "x" } },
          ),
        ),
        updateByIdMs: await timeEach(20, (i) =>
          queries.updateOne({ _id: `qry_probe${i}` }, { $set: { probed: true } }),
        ),
      });
    }
  } finally {
    await client.close();
    await isolation.cleanup().catch(() => undefined);
  }
  return probes;
}

const ADDS = 20_000;
const ADD_CONCURRENCY = 64;
const WORKER_CONCURRENCY = 50;
const ROUND_TRIPS = 300;

/**
 * The floor: raw BullMQ on the same Redis, with the same job options as the service's query
 * jobs and a payload of the same shape, but no HTTP, no MongoDB and no validation.
 */
export async function floor(): Promise<FloorResult> {
  const isolation = isolate("floor");
  const options = jobCatalog.query.options({ queryAttempts: 5, queryBackoffMs: 1000 });
  // As the API does: a producer connection for adds, worker connections for processing.
  const producerConnection = createRedis(redisUrl, "producer");
  const queue = new Queue(QueueName.query, { connection: producerConnection, prefix: isolation.queuePrefix });
  const workerConnection = createRedis(redisUrl, "worker");
  let worker: Worker | undefined;
  try {
    await queue.waitUntilReady();
    const payload = (i: number) => ({
      queryId: `qry_01BENCH${String(i).padStart(18, "0")}`,
      conversationId: `conv_01BENCH${String(i).padStart(18, "0")}`,
      userId: "usr_01BENCHUSER0000000000000000",
    });

    log(`floor: ${ADDS} queue.add at ${ADD_CONCURRENCY} in flight`);
    const latencies: number[] = [];
    const addStart = performance.now();
    await pool(ADDS, ADD_CONCURRENCY, async (i) => {
      const t = performance.now();
      await queue.add("query", payload(i), { ...options, jobId: payload(i).queryId });
      latencies.push(performance.now() - t);
    });
    const addSeconds = (performance.now() - addStart) / 1000;
    log(`floor: ${round(ADDS / addSeconds, 0)} adds/s`);

    let completed = 0;
    let lastCompletion = 0;
    const waiters = new Map<string, () => void>();
    const processStart = performance.now();
    worker = new Worker(QueueName.query, async (_job: Job) => undefined, {
      connection: workerConnection,
      prefix: isolation.queuePrefix,
      concurrency: WORKER_CONCURRENCY,
    });
    worker.on("completed", (job) => {
      completed++;
      lastCompletion = performance.now();
      const waiter = job.id ? waiters.get(job.id) : undefined;
      if (waiter) waiter();
    });
    const processDeadline = Date.now() + 120_000;
    while (completed < ADDS && Date.now() < processDeadline) {
      run.check();
      await sleep(20);
    }
    const processSeconds = ((completed < ADDS ? performance.now() : lastCompletion) - processStart) / 1000;
    log(`floor: ${completed} no-op jobs processed, ${round(completed / processSeconds, 0)} jobs/s`);

    // Latency floor: one job at a time through the now idle worker.
    const trips: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      run.check();
      const id = `trip-${i}`;
      const done = new Promise<void>((resolve) => waiters.set(id, resolve));
      const t = performance.now();
      await queue.add("query", payload(ADDS + i), { ...options, jobId: id });
      await Promise.race([done, sleep(5000)]);
      trips.push(performance.now() - t);
      waiters.delete(id);
    }

    return {
      adds: ADDS,
      addConcurrency: ADD_CONCURRENCY,
      addSeconds: round(addSeconds, 2),
      addsPerSecond: round(ADDS / addSeconds, 0),
      addLatencyMs: summarize(latencies, 2),
      processed: completed,
      workerConcurrency: WORKER_CONCURRENCY,
      processSeconds: round(processSeconds, 2),
      processedPerSecond: round(completed / processSeconds, 0),
      addToCompletedMs: summarize(trips, 2),
      store: await probeStore(),
    };
  } finally {
    await worker?.close(true).catch(() => undefined);
    await queue.close().catch(() => undefined);
    producerConnection.disconnect();
    workerConnection.disconnect();
    await isolation.cleanup().catch(() => undefined);
  }
}
