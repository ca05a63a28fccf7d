import { randomUUID } from "node:crypto";
import type { ConversationWithMessages, Page, Problem, Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery, waitForStatus } from "./support/client.js";
import { startApi, waitForLog } from "./support/processes.js";
import { readSse, type SseEvent } from "./support/sse.js";
import { type System, startSystem } from "./support/system.js";

describe("getting answers out", () => {
  let system: System;
  let url: string;
  let key: string;

  beforeAll(async () => {
    // 40 ms a token: answers stream for a while, so there is time to look mid-stream.
    system = await startSystem({ standIn: { latencyMs: 50, tokenDelayMs: 40 } });
    url = system.api.url;
    ({ key } = await register(url));
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call<Query>(url, "/v1/queries", { key, json: body, headers });

  it("answers Prefer: wait with 200 and the finished query when the model is fast enough", async () => {
    const res = await submit({ prompt: "quick one" }, { prefer: "wait=20" });
    expect(res.status).toBe(200);
    expect(res.headers.get("preference-applied")).toBe("wait=20");
    expect(res.body.status).toBe("succeeded");
    expect(res.body.output).toBe("You said: quick one");
  });

  it("answers Prefer: wait with the usual 202 when the model is slower than the wait", async () => {
    const started = Date.now();
    const res = await submit({ prompt: "slow one [[slow:4000]]" }, { prefer: "wait=1" });
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(["queued", "running"]).toContain(res.body.status);
    await waitForQuery(url, key, res.body.id);
  });

  it("streams status, output tokens before completion, and done", async () => {
    const res = await submit({ prompt: "tell me a story about streams" });
    const events: SseEvent[] = [];
    let statusMidStream: string | null = null;
    const result = await readSse(`${url}/v1/queries/${res.body.id}/events`, key, async (event) => {
      events.push(event);
      if (event.event === "output" && statusMidStream === null) {
        statusMidStream = (await call<Query>(url, `/v1/queries/${res.body.id}`, { key })).body.status;
      }
      return undefined;
    });
    expect(result.status).toBe(200);
    expect(result.contentType).toContain("text/event-stream");
    expect(statusMidStream).toBe("running");
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("status");
    expect(types.at(-1)).toBe("done");
    expect(types.filter((t) => t === "output").length).toBeGreaterThan(1);
    const streamed = events
      .filter((e) => e.event === "output")
      .map((e) => String(e.data.delta))
      .join("");
    expect(streamed).toBe("You said: tell me a story about streams");
    expect(events.at(-1)?.data).toMatchObject({ status: "succeeded", output: streamed });
    expect(events.every((e) => e.id !== undefined)).toBe(true);
  });

  it("resumes a dropped stream from Last-Event-ID on another API process without missing or repeating anything", async () => {
    const second = await startApi(system.env);
    try {
      const res = await submit({ prompt: "resume this stream across two processes please" });
      const firstPart: SseEvent[] = [];
      await readSse(`${url}/v1/queries/${res.body.id}/events`, key, (event) => {
        firstPart.push(event);
        return firstPart.filter((e) => e.event === "output").length === 2 ? "stop" : undefined;
      });
      const lastId = firstPart.at(-1)?.id;
      expect(lastId).toBeDefined();
      const rest: SseEvent[] = [];
      await readSse(
        `${second.url}/v1/queries/${res.body.id}/events`,
        key,
        (event) => {
          rest.push(event);
          return undefined;
        },
        { lastEventId: lastId },
      );
      const ids = [...firstPart, ...rest].map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      const text = [...firstPart, ...rest]
        .filter((e) => e.event === "output")
        .map((e) => String(e.data.delta))
        .join("");
      expect(text).toBe("You said: resume this stream across two processes please");
      expect(rest.at(-1)?.event).toBe("done");

      // After the end, a new connection replays everything and ends.
      const replay: SseEvent[] = [];
      await readSse(`${second.url}/v1/queries/${res.body.id}/events`, key, (event) => {
        replay.push(event);
        return undefined;
      });
      expect(replay.map((e) => e.id)).toEqual(ids);
    } finally {
      await second.stop("SIGKILL");
    }
  });

  it("cancels a running query: the provider call stops, its prediction is canceled upstream, nothing is recorded", async () => {
    const marker = randomUUID();
    const res = await submit({ prompt: `a very long answer ${marker} [[slow:8000]]` });
    await waitForStatus(url, key, res.body.id, ["running"]);
    // "running" comes before the prompt is built and sent: wait until the prediction exists
    // upstream, or a cancel in between rightly creates nothing there to cancel.
    await eventually("the prediction to exist upstream", () =>
      system.standIn.inputs.some((i) => String(i.input.prompt).includes(marker)),
    );
    const cancelsBefore = system.standIn.counts.cancels;
    const canceled = await call<Query>(url, `/v1/queries/${res.body.id}/cancel`, { key, method: "POST" });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe("canceled");
    await eventually("the prediction to be cancelled upstream", () => system.standIn.counts.cancels > cancelsBefore);
    expect(system.standIn.counts.cancels).toBe(cancelsBefore + 1);
    const again = await call<Problem>(url, `/v1/queries/${res.body.id}/cancel`, { key, method: "POST" });
    expect(again.status).toBe(409);
    // The worker is done with the job once it logs it; only then is "nothing recorded" final.
    const worker = system.workers[0];
    if (!worker) throw new Error("the system has no worker");
    const processed = await waitForLog(
      worker,
      `query processed for ${res.body.id}`,
      (e) => e.msg === "query processed" && e.queryId === res.body.id,
    );
    expect(processed.outcome).toBe("canceled");
    const conversation = await call<ConversationWithMessages>(url, `/v1/conversations/${res.body.conversationId}`, {
      key,
    });
    expect(conversation.body.messages).toEqual([]);
    expect((await call<Query>(url, `/v1/queries/${res.body.id}`, { key })).body.status).toBe("canceled");
  });

  it("cancels a queued query so it never runs, and the conversation moves on to the next", async () => {
    const first = await submit({ prompt: "first in line [[slow:1500]]" });
    const conversationId = first.body.conversationId;
    const second = await submit({ conversationId, prompt: "never asked" });
    const third = await submit({ conversationId, prompt: "asked after" });
    const canceled = await call<Query>(url, `/v1/queries/${second.body.id}/cancel`, { key, method: "POST" });
    expect(canceled.body.status).toBe("canceled");
    const done = await waitForQuery(url, key, third.body.id);
    expect(done.status).toBe("succeeded");
    const prompts = system.standIn.inputs.map((i) => String(i.input.prompt));
    expect(prompts.some((p) => p.includes("never asked"))).toBe(false);
    const last = prompts.find((p) => p.includes("asked after")) ?? "";
    expect(last).toContain("first in line");
  });

  it("returns the original query for a repeated Idempotency-Key, even when the repeats race", async () => {
    const headers = { "idempotency-key": `key-${Date.now()}` };
    const body = { prompt: "exactly once please" };
    const results = await Promise.all(Array.from({ length: 8 }, () => submit(body, headers)));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200 && r.headers.get("idempotent-replayed") === "true")).toHaveLength(7);
    const listed = await call<Page<Query>>(url, "/v1/queries?limit=100", { key });
    expect(listed.body.data.filter((q) => q.prompt === "exactly once please")).toHaveLength(1);
    const changed = await submit({ prompt: "something else" }, headers);
    expect(changed.status).toBe(422);
  });

  it("fails a query past its own deadline with timeout and cancels its prediction", async () => {
    const cancelsBefore = system.standIn.counts.cancels;
    const res = await submit({ prompt: "too slow [[slow:8000]]", params: { timeoutSeconds: 1 } });
    const done = await waitForQuery(url, key, res.body.id);
    expect(done.status).toBe("failed");
    expect(done.error?.code).toBe("timeout");
    expect(system.standIn.counts.cancels).toBeGreaterThan(cancelsBefore);
  });
});
