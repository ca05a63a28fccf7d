import type { Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

/** The value of one sample line of a Prometheus text exposition, 0 if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(" ").at(-1));
  }
  return total;
}

describe("operations", () => {
  let system: System;
  let url: string;
  let workerMetrics: string;

  beforeAll(async () => {
    system = await startSystem({ standIn: { latencyMs: 50 }, env: { LOG_LEVEL: "debug" } });
    url = system.api.url;
    const ready = system.workers[0]?.lines
      .map((l) => (l.startsWith("{") ? JSON.parse(l) : {}))
      .find((e) => e.msg === "worker ready");
    workerMetrics = `http://127.0.0.1:${ready?.metricsPort}`;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("exposes the metric families on the API and the worker, and their values move after a query", async () => {
    const before = await (await fetch(`${workerMetrics}/metrics`)).text();
    const { key } = await register(url);
    const submitted = await call<Query>(url, "/v1/queries", { key, json: { prompt: "count me" } });
    await waitForQuery(url, key, submitted.body.id);
    const succeeded = { model: "llama2", outcome: "succeeded" };
    // The worker counts the query once its job is done, a moment after the query reads succeeded.
    const worker = await eventually("the worker to count the query", async () => {
      const text = await (await fetch(`${workerMetrics}/metrics`)).text();
      return sample(text, "llmchat_queries_total", succeeded) > sample(before, "llmchat_queries_total", succeeded)
        ? text
        : undefined;
    });
    const api = await (await fetch(`${system.api.metricsUrl}/metrics`)).text();
    expect(sample(worker, "llmchat_queries_total", succeeded)).toBe(
      sample(before, "llmchat_queries_total", succeeded) + 1,
    );
    expect(sample(worker, "llmchat_query_total_seconds_count", { model: "llama2" })).toBeGreaterThan(0);
    expect(sample(worker, "llmchat_query_model_seconds_count", { model: "llama2" })).toBeGreaterThan(0);
    expect(sample(worker, "llmchat_query_queue_wait_seconds_count", { model: "llama2" })).toBeGreaterThan(0);
    expect(sample(worker, "llmchat_tokens_total", { model: "llama2", direction: "out" })).toBeGreaterThan(0);
    expect(sample(api, "llmchat_http_requests_total", { route: "/v1/queries", method: "POST", status: "202" })).toBe(1);
    expect(sample(api, "llmchat_http_request_duration_seconds_count", { route: "/v1/queries/:id" })).toBeGreaterThan(0);
    for (const family of [
      "llmchat_queue_jobs",
      "llmchat_provider_errors_total",
      "llmchat_webhook_deliveries_total",
      "llmchat_circuit_breaker_state",
      "llmchat_process_resident_memory_bytes",
      "llmchat_nodejs_eventloop_lag_seconds",
    ]) {
      expect(worker, family).toContain(`# TYPE ${family} `);
    }
    expect(api).toMatch(/llmchat_queue_jobs\{[^}]*queue="query"[^}]*state="waiting"/);
  });

  it("serves its OpenAPI document and interactive docs without a key", async () => {
    const document = await call<{ openapi: string; paths: Record<string, unknown> }>(url, "/openapi.json");
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe("3.1.0");
    expect(Object.keys(document.body.paths)).toContain("/v1/queries/{id}/events");
    const docs = await fetch(`${url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui");
  });

  it("answers health and readiness on the worker's metrics port", async () => {
    expect((await fetch(`${workerMetrics}/healthz`)).status).toBe(200);
    const ready = await fetch(`${workerMetrics}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok" });
  });

  it("echoes a caller's request id and makes one up otherwise", async () => {
    // Even a refused request carries it, so a client can quote it in a support ticket.
    const given = await fetch(`${url}/v1/models`, { headers: { "x-request-id": "trace-123" } });
    expect(given.status).toBe(401);
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const { key } = await register(url);
    const res = await call(url, "/v1/models", { key, headers: { "x-request-id": "abc.def-42" } });
    expect(res.headers.get("x-request-id")).toBe("abc.def-42");
    const made = await call(url, "/v1/models", { key, headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(system.api.lines.some((l) => l.includes('"id":"abc.def-42"'))).toBe(true);
  });

  it("puts a query's ids on every worker line logged while it runs", async () => {
    const { key } = await register(url);
    const submitted = await call<Query>(url, "/v1/queries", { key, json: { prompt: "trace me" } });
    await waitForQuery(url, key, submitted.body.id);
    const lines = (system.workers[0]?.lines ?? []).filter((l) => l.includes('"msg":"prompt built"'));
    const mine = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.queryId === submitted.body.id);
    expect(mine).toBeDefined();
    expect(mine?.jobId).toBe(submitted.body.id);
  });
});
