import type { Query } from "@llm-chat/contracts";
import { eventually, withMongo } from "@llm-chat/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

async function submitMany(url: string, key: string, count: number): Promise<Query[]> {
  const submitted: Query[] = [];
  for (let i = 0; i < count; i++) {
    const res = await call<Query>(url, "/v1/queries", { key, json: { prompt: `question ${i}`, model: "llama2" } });
    expect(res.status).toBe(202);
    submitted.push(res.body);
  }
  return submitted;
}

async function messageCounts(system: System): Promise<Map<string, number>> {
  return withMongo(system.isolation.mongoUrl, async (client) => {
    const docs = await client
      .db()
      .collection("messages")
      .find({}, { projection: { conversationId: 1 } })
      .toArray();
    const counts = new Map<string, number>();
    for (const doc of docs) counts.set(String(doc.conversationId), (counts.get(String(doc.conversationId)) ?? 0) + 1);
    return counts;
  });
}

describe("worker crashes and shutdowns", () => {
  let system: System | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it("finishes every accepted query exactly once after a worker is killed mid-flight", async () => {
    system = await startSystem({ standIn: { latencyMs: 1500 }, env: { WORKER_LOCK_DURATION_MS: "1500" } });
    const { url } = system.api;
    const { key } = await register(url);
    const queries = await submitMany(url, key, 30);

    const standIn = system.standIn;
    await eventually("queries to reach the model", () => standIn.counts.creates >= 10, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    const first = system.workers[0];
    const killed = await first?.stop("SIGKILL");
    expect(killed?.signal).toBe("SIGKILL");

    await system.startWorker({ WORKER_LOCK_DURATION_MS: "1500" });
    const done = await Promise.all(queries.map((q) => waitForQuery(url, key, q.id, 90_000)));
    expect(done.map((q) => q.status)).toEqual(queries.map(() => "succeeded"));
    for (const q of done) expect(q.output).toMatch(/^You said: question \d+$/);
    // Some queries ran twice (once on the killed worker) but each was recorded once.
    expect(done.some((q) => q.attempts > 1)).toBe(true);
    const counts = await messageCounts(system);
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 2)).toBe(true);
  });

  it("exits 0 on SIGTERM after letting the running queries finish", async () => {
    system = await startSystem({ standIn: { latencyMs: 1500 } });
    const { url } = system.api;
    const { key } = await register(url);
    const queries = await submitMany(url, key, 10);
    const standIn = system.standIn;
    await eventually("queries to reach the model", () => standIn.counts.creates >= 10, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });

    const exit = await system.workers[0]?.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    // No new worker: whatever finished, finished on the worker that was asked to stop.
    const states = await Promise.all(
      queries.map((q) => call<Query>(url, `/v1/queries/${q.id}`, { key }).then((r) => r.body.status)),
    );
    expect(states).toEqual(queries.map(() => "succeeded"));
  });

  it("hands running queries back when they outlast the shutdown bound, and another worker finishes them", async () => {
    const env = { WORKER_SHUTDOWN_TIMEOUT_MS: "300", WORKER_LOCK_DURATION_MS: "1500" };
    system = await startSystem({ standIn: { latencyMs: 2500 }, env });
    const { url } = system.api;
    const { key } = await register(url);
    const queries = await submitMany(url, key, 5);
    const standIn = system.standIn;
    await eventually("queries to reach the model", () => standIn.counts.creates >= 5, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });

    const worker = system.workers[0];
    const exit = await worker?.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    // It left without finishing them: they were handed back to the queue, not answered.
    const states = await Promise.all(
      queries.map((q) => call<Query>(url, `/v1/queries/${q.id}`, { key }).then((r) => r.body.status)),
    );
    expect(states).toEqual(queries.map(() => "queued"));

    await system.startWorker(env);
    const done = await Promise.all(queries.map((q) => waitForQuery(url, key, q.id, 60_000)));
    expect(done.map((q) => q.status)).toEqual(queries.map(() => "succeeded"));
    const counts = await messageCounts(system);
    expect([...counts.values()]).toEqual(queries.map(() => 2));
  });
});
