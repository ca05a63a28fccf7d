import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type AttemptResult, toBullmq } from "../src/attempt-result.js";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const connect = () => new Redis(redisUrl, { maxRetriesPerRequest: null });

describe("an attempt's result, as BullMQ sees it", () => {
  const prefix = `test-${randomBytes(5).toString("hex")}`;
  const queueConnection = connect();
  const workerConnection = connect();
  const queue = new Queue("query", { connection: queueConnection, prefix });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    queueConnection.disconnect();
    workerConnection.disconnect();
  });

  it("sends a paused job to the delayed set until the time given, without spending an attempt", async () => {
    const runs: Array<{ attemptsMade: number; at: number }> = [];
    let pausedUntil = 0;
    const worker = new Worker(
      "query",
      (job, token) => {
        runs.push({ attemptsMade: job.attemptsMade, at: Date.now() });
        let result: AttemptResult = { kind: "done", outcome: "succeeded" };
        if (runs.length === 1) {
          pausedUntil = Date.now() + 300;
          result = { kind: "pause", until: pausedUntil };
        }
        return toBullmq(result, job, token, { recheckMs: 0, stillBlocked: async () => false });
      },
      { connection: workerConnection, prefix },
    );
    try {
      const completed = once(worker, "completed");
      await queue.add("query", {}, { jobId: "paused", attempts: 2 });
      await completed;
    } finally {
      await worker.close();
    }
    expect(runs).toHaveLength(2);
    expect(runs[1]?.attemptsMade).toBe(0);
    expect(runs[1]?.at).toBeGreaterThanOrEqual(pausedUntil);
    // Only the completing attempt counted.
    expect((await queue.getJob("paused"))?.attemptsMade).toBe(1);
  });
});
