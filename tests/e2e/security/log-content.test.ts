import type { Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "../support/client.js";
import { type RunningProcess, startWorker, waitForLog } from "../support/processes.js";
import { type System, startSystem } from "../support/system.js";

const parsed = (lines: string[]) =>
  lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("attack: read users' conversations and stored credentials from the logs", () => {
  let system: System;
  const extra: RunningProcess[] = [];

  beforeAll(async () => {
    // The most a log can say: trace on both processes, LOG_CONTENT left at its default.
    system = await startSystem({ workers: 1, env: { LOG_LEVEL: "trace" } });
  });
  afterAll(async () => {
    await Promise.all(extra.map((p) => p.stop("SIGKILL")));
    await system?.stop();
  });

  it("writes no prompt, answer or webhook secret by default, and says where it left them out", async () => {
    const url = system.api.url;
    const { key } = await register(url);
    const webhookSecret = (await call<{ secret: string }>(url, "/v1/webhook-secret", { key })).body.secret;
    const prompt = "the quarterly numbers are 7351 and 9824";
    const submitted = await call<Query>(url, "/v1/queries", { key, json: { prompt } });
    expect(submitted.status).toBe(202);
    const done = await waitForQuery(url, key, submitted.body.id);
    expect(done.status).toBe("succeeded");
    // The worker's last word on the query; its earlier lines came before it.
    const [worker] = system.workers;
    if (!worker) throw new Error("the system has no worker");
    await waitForLog(worker, "query processed", (e) => e.msg === "query processed" && e.queryId === done.id);

    const lines = [...system.api.lines, ...system.workers.flatMap((w) => w.lines)];
    const text = lines.join("\n");
    expect(text).toContain("query processed");
    for (const said of ["7351", "9824", done.output ?? "(no output)", webhookSecret]) expect(text).not.toContain(said);
    // The worker's debug lines carry the content fields, censored: an operator sees they exist.
    const entries = parsed(system.workers.flatMap((w) => w.lines));
    expect(entries.find((e) => e.msg === "prompt built")?.prompt).toBe("[redacted]");
    expect(entries.find((e) => e.msg === "model answered")?.output).toBe("[redacted]");
  });

  it("writes them only when an operator turns LOG_CONTENT on", async () => {
    const worker = await startWorker({ ...system.env, LOG_LEVEL: "debug", LOG_CONTENT: "true" });
    extra.push(worker);
    // Only this worker takes the next query.
    await Promise.all(system.workers.map((w) => w.stop("SIGKILL")));
    const { key } = await register(system.api.url);
    const submitted = await call<Query>(system.api.url, "/v1/queries", {
      key,
      json: { prompt: "debugging prompt 4411" },
    });
    expect((await waitForQuery(system.api.url, key, submitted.body.id)).status).toBe("succeeded");
    await waitForLog(worker, "query processed", (e) => e.msg === "query processed" && e.queryId === submitted.body.id);
    const entries = parsed(worker.lines);
    expect(String(entries.find((e) => e.msg === "prompt built")?.prompt)).toContain("debugging prompt 4411");
    expect(entries.find((e) => e.msg === "model answered")?.output).toBe("You said: debugging prompt 4411");
  });
});
