import type { Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import type { System } from "../support/system.js";
import { faultSystem, passTimeout, report, settle, submitMany } from "./support/harness.js";
import { FAULT_REDIS_PORT, startMongo, stopMongo } from "./support/servers.js";

/** Attempts BullMQ counted for the queries' jobs (a completed job's last attempt included). */
async function attemptsMade(system: System, ids: string[]): Promise<number[]> {
  const redis = new Redis(`redis://127.0.0.1:${FAULT_REDIS_PORT}`, { maxRetriesPerRequest: null });
  const queue = new Queue("query", { connection: redis, prefix: system.isolation.queuePrefix });
  try {
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    return jobs.map((job) => job?.attemptsMade ?? Number.NaN);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

const linesSaying = (system: System, msg: string) =>
  system.workers.flatMap((w) => w.lines).filter((line) => line.includes(`"msg":"${msg}"`)).length;

describe("store and provider faults", () => {
  let system: System | undefined;
  afterEach(async () => {
    await startMongo();
    await system?.stop();
    system = undefined;
  });

  it("loses and duplicates nothing when the MongoDB-compatible server stops for 10 s under load; readiness goes red then green", async () => {
    system = await faultSystem({ standIn: { latencyMs: 300 } });
    const { url } = system.api;
    const { key } = await register(url);
    const before = await submitMany(url, key, 60, "before");
    await stopMongo();
    const downAt = Date.now();
    const duringStatuses: number[] = [];
    const accepted = [...before];
    const deadline = Date.now() + 10_000;
    let red = false;
    while (Date.now() < deadline) {
      const res = await call<Query>(url, "/v1/queries", { key, json: { prompt: "during" } });
      duringStatuses.push(res.status);
      if (res.status === 202) accepted.push(res.body.id);
      if ((await call(url, "/readyz")).status === 503) red = true;
      // Pacing: a submit and a readiness check every half second, all through the 10 s outage.
      await new Promise((r) => setTimeout(r, 500));
    }
    await startMongo();
    const upAt = Date.now();
    const green = await eventually("readiness to go green", async () => (await call(url, "/readyz")).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 500,
    }).catch(passTimeout);
    const after = await submitMany(url, key, 20, "after");
    accepted.push(...after);
    const result = await settle(system, accepted, 180_000);
    report("stop the MongoDB-compatible server for 10 s", {
      ...result,
      duringStatuses: [...new Set(duringStatuses)],
      downMs: upAt - downAt,
      readyRed: red,
      readyGreen: green,
    });
    expect(red).toBe(true);
    expect(green).toBe(true);
    expect(duringStatuses.every((s) => s === 503)).toBe(true);
    expect(result).toMatchObject({ succeeded: accepted.length, open: 0, lost: 0, duplicated: 0 });
  });

  it("ends every query succeeded or failed with a clear code when the model answers 30% 500s and 30% 429s", async () => {
    system = await faultSystem({
      standIn: { latencyMs: 50, rate500: 0.3, rate429: 0.3, retryAfterSeconds: 0, seed: 11 },
      env: { QUERY_ATTEMPTS: "4" },
    });
    const { url } = system.api;
    const { key } = await register(url);
    const ids = await submitMany(url, key, 150, "flaky");
    const result = await settle(system, ids, 180_000);
    report("model stand-in at 30% 500s and 30% 429s", { ...result });
    expect(result.open).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.succeeded + result.failed).toBe(150);
    expect(result.succeeded).toBeGreaterThan(0);
    for (const code of Object.keys(result.failureCodes)) {
      expect(["provider_unavailable", "provider_rate_limited"]).toContain(code);
    }
  });

  it("answers every query when the model's 5xx storm opens the circuit breaker, which costs no query an attempt", async () => {
    // A 30% storm of 500s, only when a prediction is created (Replicate's client never
    // retries those). The breaker is tuned to trip at 20% so that this storm surely opens
    // it, and to half-open after 1 s so that the scenario is quick.
    system = await faultSystem({
      standIn: { latencyMs: 50, rate500: 0.3, seed: 13 },
      env: { CIRCUIT_BREAKER_ERROR_PERCENT: "20", CIRCUIT_BREAKER_RESET_MS: "1000", QUERY_ATTEMPTS: "10" },
    });
    const { url } = system.api;
    const { key } = await register(url);
    const ids = await submitMany(url, key, 60, "storm");
    const result = await settle(system, ids, 240_000);
    const attempts = await attemptsMade(system, ids);
    const perQuery: Record<number, number> = {};
    for (const n of attempts) perQuery[n] = (perQuery[n] ?? 0) + 1;
    // What the worker made of its attempts, as it logged them: each failed one, once.
    const failedAttempts =
      linesSaying(system, "query attempt failed, will retry") + linesSaying(system, "query failed");
    const opened = linesSaying(system, "circuit breaker open");
    const sent500 = system.standIn.counts.sent500;
    report("model stand-in at 30% 500s on create, breaker at 20%", {
      ...result,
      breakerOpened: opened,
      provider500s: sent500,
      failedAttempts,
      breakerWaits: linesSaying(system, "query waits for its provider's circuit breaker"),
      attemptsPerQuery: perQuery,
    });
    expect(opened).toBeGreaterThan(0);
    expect(result).toMatchObject({ succeeded: 60, failed: 0, open: 0, lost: 0, duplicated: 0 });
    // Each failed attempt was one of the provider's own 500s; a refusal by the breaker cost
    // none. (At 30%, ten 500s in a row for one query is a 1-in-170,000 event.)
    expect(failedAttempts).toBe(sent500);
    // BullMQ's own count agrees, but for attempts whose job lock lapsed under load (2 s
    // locks here), which it does not count at all.
    expect(attempts.reduce((sum, n) => sum + n - 1, 0)).toBeLessThanOrEqual(sent500);
  });
});
