import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/client.js";
import { type RunningProcess, startApi } from "../support/processes.js";
import { type System, startSystem } from "../support/system.js";

/** Every spelling Express routes to `/metrics`, and the encodings a proxy might pass through. */
const SPELLINGS = ["/metrics", "/METRICS", "/metrics/", "/Metrics/", "/metrics?x=1", "/%6detrics"];

const TOKEN = "scrape-token-0123456789abcdef";

const isExposition = (body: unknown) => typeof body === "string" && body.includes("# TYPE llmchat_");

describe("attack: read the API's metrics from its public port", () => {
  let system: System;
  const extra: RunningProcess[] = [];

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
  });
  afterAll(async () => {
    await Promise.all(extra.map((p) => p.stop("SIGKILL")));
    await system?.stop();
  });

  it("serves no spelling of /metrics on the public port", async () => {
    for (const path of SPELLINGS) {
      const res = await call(system.api.url, path);
      expect(isExposition(res.body), path).toBe(false);
      expect(res.status, path).toBe(404);
    }
  });

  it("serves them on the metrics port, bound to loopback by default", async () => {
    const res = await call(system.api.metricsUrl, "/metrics");
    expect(res.status).toBe(200);
    expect(isExposition(res.body)).toBe(true);
    // Only /metrics there: the API's routes are not reachable through the metrics port.
    expect((await call(system.api.metricsUrl, "/v1/models")).status).toBe(404);
    const listening = system.api.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listening.find((e) => e.msg === "api listening")?.metricsPort).toBe(
      Number(new URL(system.api.metricsUrl).port),
    );
  });

  it("wants the bearer token on the API's and the worker's metrics ports when METRICS_TOKEN is set", async () => {
    const api = await startApi({ ...system.env, METRICS_TOKEN: TOKEN });
    extra.push(api);
    const worker = await system.startWorker({ METRICS_TOKEN: TOKEN });
    const ready = worker.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.msg === "worker ready");
    const workerUrl = `http://127.0.0.1:${String(ready?.metricsPort)}`;
    for (const base of [api.metricsUrl, workerUrl]) {
      for (const path of ["/metrics", "/METRICS", "/metrics/"]) {
        const bare = await call(base, path);
        expect(bare.status, `${base}${path}`).toBe(401);
        expect(isExposition(bare.body)).toBe(false);
        expect((await call(base, path, { key: "wrong-token-0123456789abcdef" })).status).toBe(401);
        const scraped = await call(base, path, { key: TOKEN });
        expect(scraped.status, `${base}${path}`).toBe(200);
        expect(isExposition(scraped.body)).toBe(true);
      }
    }
    // Probes stay open for the orchestrator: they tell only up or not.
    expect((await call(workerUrl, "/readyz")).status).toBe(200);
  });
});
