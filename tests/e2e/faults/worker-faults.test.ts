import type { Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { startReceiver } from "../support/receiver.js";
import type { System } from "../support/system.js";
import { faultSystem, report, settle, submitMany } from "./support/harness.js";

describe("worker faults", () => {
  let system: System | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await system?.stop();
    system = undefined;
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("finishes all 500 queries once, with one webhook event each, after a worker is SIGKILLed mid-flight", async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const env = { WORKER_CONCURRENCY: "500", WEBHOOK_ALLOW_PRIVATE_URLS: "true" };
    system = await faultSystem({ standIn: { latencyMs: 3000 }, env });
    const { url } = system.api;
    const { key } = await register(url);
    const ids: string[] = [];
    for (let i = 0; i < 500; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          call<Query>(url, "/v1/queries", {
            key,
            json: { prompt: `kill ${i + j}`, webhook: { url: receiver.url } },
          }),
        ),
      );
      ids.push(...batch.map((r) => r.body.id));
    }
    const standIn = system.standIn;
    await eventually("300 queries to reach the model", () => standIn.counts.creates >= 300, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await system.workers[0]?.stop("SIGKILL");
    const killedAt = Date.now();
    await system.startWorker(env);

    const result = await settle(system, ids, 180_000);
    const recoveredMs = Date.now() - killedAt;
    // Let the last webhooks land, then count event ids per query.
    await eventually(
      "webhooks of 500 events",
      () => new Set(receiver.received.map((r) => r.headers["webhook-id"])).size >= 500,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const perQuery = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const body = JSON.parse(r.body) as { data: { id: string } };
      const set = perQuery.get(body.data.id) ?? new Set();
      set.add(String(r.headers["webhook-id"]));
      perQuery.set(body.data.id, set);
    }
    const duplicateEvents = [...perQuery.values()].filter((s) => s.size > 1).length;
    report("SIGKILL a worker with 500 in flight", { ...result, duplicateEvents, recoveredMs });
    expect(result).toMatchObject({ accepted: 500, succeeded: 500, failed: 0, open: 0, lost: 0, duplicated: 0 });
    expect(perQuery.size).toBe(500);
    expect(duplicateEvents).toBe(0);
  });

  it("lets a SIGTERMed worker exit 0 within its bound under load, and loses nothing", async () => {
    const env = { WORKER_CONCURRENCY: "100", WORKER_SHUTDOWN_TIMEOUT_MS: "2000" };
    system = await faultSystem({ standIn: { latencyMs: 1500 }, env });
    const { url } = system.api;
    const { key } = await register(url);
    const ids = await submitMany(url, key, 200, "term");
    const standIn = system.standIn;
    await eventually("100 queries to reach the model", () => standIn.counts.creates >= 100, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const started = Date.now();
    const exit = await system.workers[0]?.stop("SIGTERM");
    const exitMs = Date.now() - started;
    expect(exit).toEqual({ code: 0, signal: null });
    // The bound is 2 s for jobs plus 5 s to close; the worker's own deadline enforces it.
    expect(exitMs).toBeLessThan(2000 + 5000 + 1000);
    await system.startWorker(env);
    const result = await settle(system, ids, 120_000);
    report("SIGTERM a worker under load", { ...result, exitMs });
    expect(result).toMatchObject({ accepted: 200, succeeded: 200, open: 0, lost: 0, duplicated: 0 });
  });
});
