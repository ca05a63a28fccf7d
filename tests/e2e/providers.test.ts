import type { ModelInfo, Query } from "@llm-chat/contracts";
import { startOpenAIStandIn } from "@llm-chat/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { localModelsFile as modelsFile } from "./support/models-file.js";
import { waitForLog } from "./support/processes.js";
import { readSse } from "./support/sse.js";
import { type System, startSystem } from "./support/system.js";

/** Most creates the stand-in saw within any `windowMs` span. */
function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("models and providers", () => {
  let system: System | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await system?.stop();
    system = undefined;
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("runs a query on a local OpenAI-compatible model, streaming its tokens", async () => {
    const local = await startOpenAIStandIn({ latencyMs: 50, tokenDelayMs: 30 });
    closers.push(() => local.close());
    system = await startSystem({ env: { MODELS_FILE: modelsFile(`${local.url}/v1`) } });
    const { url } = system.api;
    const { key } = await register(url);

    const models = await call<{ data: ModelInfo[] }>(url, "/v1/models", { key });
    expect(models.body.data.map((m) => [m.id, m.provider])).toContainEqual(["local", "openai"]);
    expect(JSON.stringify(models.body)).not.toContain(local.url);

    const submitted = await call<Query>(url, "/v1/queries", {
      key,
      json: { prompt: "hello from a local model", model: "local", system: "Be brief." },
    });
    expect(submitted.status).toBe(202);
    const deltas: string[] = [];
    await readSse(`${url}/v1/queries/${submitted.body.id}/events`, key, (event) => {
      if (event.event === "output") deltas.push(String(event.data.delta));
      return undefined;
    });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("You said: hello from a local model");
    const done = await waitForQuery(url, key, submitted.body.id);
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("You said: hello from a local model");
    const sent = local.requests.at(-1);
    expect(sent?.model).toBe("llama3.2");
    expect(sent?.messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("gets every query through a 50% 429 storm without sending Replicate more than its budget", async () => {
    system = await startSystem({
      standIn: { latencyMs: 30, rate429: 0.5, seed: 7, retryAfterSeconds: 0 },
      env: { REPLICATE_RATE_LIMIT_POINTS: "4", REPLICATE_RATE_LIMIT_WINDOW_SECONDS: "1", QUERY_ATTEMPTS: "10" },
    });
    const { url } = system.api;
    const { key } = await register(url);
    const queries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call<Query>(url, "/v1/queries", { key, json: { prompt: `storm ${i}` } })),
    );
    const done = await Promise.all(queries.map((q) => waitForQuery(url, key, q.body.id, 90_000)));
    expect(done.map((q) => q.status)).toEqual(done.map(() => "succeeded"));
    const creates = system.standIn.inputs.map((i) => i.at);
    expect(system.standIn.counts.sent429).toBeGreaterThan(0);
    // A fixed-window budget lets at most two windows' worth through any one window's span.
    expect(peak(creates, 1000)).toBeLessThanOrEqual(8);
    // And the creates were spread out: at most 4 in each 1 s window of the limiter.
    const span = Math.max(...creates) - Math.min(...creates);
    expect(span).toBeGreaterThanOrEqual((Math.ceil(creates.length / 4) - 1) * 1000 - 200);
  });

  it("rides out 10 s of provider 500s: the breaker opens, recovers by itself, and the queries succeed after", async () => {
    system = await startSystem({
      standIn: { latencyMs: 30, rate500: 1 },
      env: {
        QUERY_ATTEMPTS: "20",
        QUERY_BACKOFF_MS: "250",
        CIRCUIT_BREAKER_VOLUME: "3",
        CIRCUIT_BREAKER_RESET_MS: "1000",
      },
    });
    const { url } = system.api;
    const { key } = await register(url);
    const queries = await Promise.all(
      Array.from({ length: 4 }, (_, i) => call<Query>(url, "/v1/queries", { key, json: { prompt: `outage ${i}` } })),
    );
    // The outage lasts until the breaker has opened on it.
    const worker = system.workers[0];
    if (!worker) throw new Error("the system has no worker");
    await waitForLog(worker, "circuit breaker open", (e) => e.msg === "circuit breaker open", 30_000);
    system.standIn.setBehaviour({ rate500: 0 });
    const done = await Promise.all(queries.map((q) => waitForQuery(url, key, q.body.id, 90_000)));
    expect(done.map((q) => q.status)).toEqual(done.map(() => "succeeded"));
    expect(Math.max(...done.map((q) => q.attempts))).toBeGreaterThan(1);
    const logs = (system.workers[0]?.lines ?? []).join("\n");
    expect(logs).toContain("circuit breaker open");
    expect(logs).toContain("circuit breaker closed");
    expect(logs.indexOf("circuit breaker open")).toBeLessThan(logs.lastIndexOf("circuit breaker closed"));
  });

  it("fails a malformed provider response with a clear code and one attempt, from either provider", async () => {
    const local = await startOpenAIStandIn({ latencyMs: 20 });
    closers.push(() => local.close());
    system = await startSystem({ env: { MODELS_FILE: modelsFile(`${local.url}/v1`) } });
    const { url } = system.api;
    const { key } = await register(url);
    for (const model of ["llama2", "local"]) {
      const submitted = await call<Query>(url, "/v1/queries", {
        key,
        json: { prompt: "break [[malformed]]", model },
      });
      const done = await waitForQuery(url, key, submitted.body.id);
      expect(done.status, model).toBe("failed");
      expect(done.error?.code, model).toBe("provider_malformed_response");
      expect(done.attempts, model).toBe(1);
    }
    // The worker is still serving.
    const fine = await call<Query>(url, "/v1/queries", { key, json: { prompt: "still there?" } });
    expect((await waitForQuery(url, key, fine.body.id)).status).toBe("succeeded");
  });
});
