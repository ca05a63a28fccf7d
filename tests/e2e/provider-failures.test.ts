import type { Query } from "@llm-chat/contracts";
import { eventually, testRedisUrl, withMongo } from "@llm-chat/testkit";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

describe("provider failures", () => {
  let system: System;
  let url: string;
  let key: string;

  beforeAll(async () => {
    system = await startSystem({ standIn: { latencyMs: 50 }, env: { QUERY_TIMEOUT_MS: "3000", QUERY_ATTEMPTS: "4" } });
    url = system.api.url;
    ({ key } = await register(url));
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = async (prompt: string) => {
    const res = await call<Query>(url, "/v1/queries", { key, json: { prompt } });
    expect(res.status).toBe(202);
    return res.body;
  };

  const messagesOf = (conversationId: string) =>
    withMongo(system.isolation.mongoUrl, (client) =>
      client.db().collection("messages").countDocuments({ conversationId }),
    );

  it("fails a query whose prediction failed at once, with model_failed and no retry", async () => {
    const query = await submit("please [[fail]]");
    const done = await waitForQuery(url, key, query.id);
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("model_failed");
    expect(done.attempts).toBe(1);
    expect(await messagesOf(done.conversationId)).toBe(0);
  });

  it("retries provider 500s with backoff and succeeds once the provider recovers", async () => {
    system.standIn.setBehaviour({ rate500: 1 });
    const query = await submit("are you there?");
    await eventually("two provider 500s", () => system.standIn.counts.sent500 >= 2, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    system.standIn.setBehaviour({ rate500: 0 });
    const done = await waitForQuery(url, key, query.id);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBeGreaterThanOrEqual(3);
    expect(done.output).toBe("You said: are you there?");
    expect(await messagesOf(done.conversationId)).toBe(2);
  });

  it("fails with provider_rate_limited once every attempt met a 429", async () => {
    system.standIn.setBehaviour({ rate429: 1, retryAfterSeconds: 0 });
    try {
      const query = await submit("rate limited");
      const done = await waitForQuery(url, key, query.id);
      expect(done.status).toBe("failed");
      expect(done.error?.code).toBe("provider_rate_limited");
      expect(done.attempts).toBe(4);
    } finally {
      system.standIn.setBehaviour({ rate429: 0 });
    }
  });

  it("fails a query that outlives its deadline with timeout", async () => {
    const query = await submit("take your time [[slow:8000]]");
    const done = await waitForQuery(url, key, query.id);
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("timeout");
    expect(done.attempts).toBe(1);
  });

  it("fails a job whose payload does not parse without retrying it", async () => {
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue("query", { connection, prefix: system.isolation.queuePrefix });
    try {
      const job = await queue.add("query", { queryId: "not-an-id" }, { attempts: 5, jobId: "bad-payload" });
      const state = await eventually(
        "the bad job to fail",
        async () => {
          const now = await job.getState();
          return now === "failed" ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(state).toBe("failed");
      const failed = await queue.getJob("bad-payload");
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toBe("invalid job payload");
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
