import type { Query } from "@llm-chat/contracts";
import { eventually, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import type { System } from "../support/system.js";
import { faultSystem, report, settle, submitMany } from "./support/harness.js";
import { startRedis, stopRedis } from "./support/servers.js";

describe("Redis faults", () => {
  let system: System | undefined;
  afterEach(async () => {
    await startRedis();
    await system?.stop();
    system = undefined;
  });

  it("loses no accepted query when Redis restarts under load, answers 503 while it is down, and the workers resume", async () => {
    system = await faultSystem({ standIn: { latencyMs: 200 } });
    const { url } = system.api;
    const { key } = await register(url);
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    let slowest = 0;
    let sending = true;
    let upAt = Number.POSITIVE_INFINITY;
    let acceptedSinceUp = 0;
    // A steady stream of submits (bounded: it stops when the scenario does, at most 2,000).
    const load = (async () => {
      for (let i = 0; sending && i < 2000; i++) {
        const started = Date.now();
        const res = await call<Query>(url, "/v1/queries", {
          key,
          json: { prompt: `load ${i}` },
        });
        slowest = Math.max(slowest, Date.now() - started);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 202) accepted.push(res.body.id);
        else expect(res.headers.get("content-type")).toContain("application/problem+json");
        if (res.status === 202 && started > upAt) acceptedSinceUp += 1;
        // Pacing the load: about 50 submits a second, not a wait for anything.
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await eventually("the load to have 20 queries accepted", () => accepted.length >= 20, { timeoutMs: 30_000 });
    await stopRedis();
    const downAt = Date.now();
    // The outage itself: Redis stays down 3 s, the length of the fault, not a wait for an event.
    await new Promise((r) => setTimeout(r, 3000));
    const readyWhileDown = (await call(url, "/readyz")).status;
    await startRedis();
    upAt = Date.now();
    await eventually("the load to have 20 queries accepted after the restart", () => acceptedSinceUp >= 20, {
      timeoutMs: 30_000,
    });
    sending = false;
    await load;

    const result = await settle(system, accepted, 120_000);
    report("restart Redis under load", {
      ...result,
      statuses: Object.fromEntries(statuses),
      downMs: upAt - downAt,
      slowestSubmitMs: slowest,
    });
    expect(readyWhileDown).toBe(503);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].every((s) => s === 202 || s === 503)).toBe(true);
    expect(result).toMatchObject({ succeeded: accepted.length, open: 0, lost: 0, duplicated: 0 });
    expect((await call(url, "/readyz")).status).toBe(200);
  });

  it("re-enqueues every accepted query from MongoDB after Redis loses all its data", async () => {
    system = await faultSystem({ standIn: { latencyMs: 100 }, workers: 0 });
    const { url } = system.api;
    const { key } = await register(url);
    const ids = await submitMany(url, key, 100, "flushed");
    const redis = new Redis(testRedisUrl());
    try {
      await redis.flushall();
      expect(await redis.dbsize()).toBe(0);
    } finally {
      redis.disconnect();
    }
    const flushedAt = Date.now();
    await system.startWorker();
    const result = await settle(system, ids, 120_000);
    report("FLUSHALL with queries queued", { ...result, recoveredMs: Date.now() - flushedAt });
    expect(result).toMatchObject({ accepted: 100, succeeded: 100, open: 0, lost: 0, duplicated: 0 });
    const logs = (system.workers[0]?.lines ?? []).join("\n");
    expect(logs).toContain("re-enqueued a query whose job was missing");
  });
});
