import { afterEach, describe, expect, it } from "vitest";
import { call, type QueryView, register } from "../support/client.js";
import type { System } from "../support/system.js";
import { faultSystem, report, settle, submitMany } from "./support/harness.js";
import { startMongo, stopMongo } from "./support/servers.js";

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
      const res = await call<QueryView>(url, "/v1/queries", { key, json: { prompt: "during" } });
      duringStatuses.push(res.status);
      if (res.status === 202) accepted.push(res.body.id);
      if ((await call(url, "/readyz")).status === 503) red = true;
      await new Promise((r) => setTimeout(r, 500));
    }
    await startMongo();
    const upAt = Date.now();
    let green = false;
    for (let i = 0; i < 60 && !green; i++) {
      green = (await call(url, "/readyz")).status === 200;
      if (!green) await new Promise((r) => setTimeout(r, 500));
    }
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
});
