import type { Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type RunningProcess, startApi } from "../support/processes.js";
import { type System, startSystem } from "../support/system.js";

interface OpenStream {
  status: number;
  headers: Headers;
  detail: string;
  /** Everything the server sent. */
  text(): string;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

async function openStream(baseUrl: string, key: string, queryId: string): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/queries/${queryId}/events`, {
    headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
    signal: controller.signal,
  });
  let received = "";
  let detail = "";
  let ended: Promise<void> = Promise.resolve();
  if (response.status === 200 && response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    // Read all the time: these clients are quick, only the server may end their streams.
    ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += decoder.decode(value, { stream: true });
      }
    })().catch(() => undefined);
  } else {
    detail = String(((await response.json()) as { detail?: string }).detail);
  }
  return {
    status: response.status,
    headers: response.headers,
    detail,
    text: () => received,
    ended,
    close: () => controller.abort(),
  };
}

/** Bounded: a stream that does not end fails the test instead of hanging it. */
const endsWithin = (stream: OpenStream, ms: number) =>
  Promise.race([
    stream.ended.then(() => "ended"),
    // A time limit on a wait for the end, not a pause: the race ends as soon as the stream does.
    new Promise<string>((resolve) => setTimeout(() => resolve("still open"), ms)),
  ]);

describe("attack: exhaust the API with event streams", () => {
  let system: System;
  const extra: RunningProcess[] = [];
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    // No worker: queries stay queued, so their streams would stay open for ever.
    system = await startSystem({
      workers: 0,
      env: { SSE_MAX_STREAMS_PER_USER: "3", SSE_MAX_STREAMS_PER_PROCESS: "5" },
    });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(extra.map((p) => p.stop("SIGKILL")));
    await system?.stop();
  });

  const newUserWithQuery = async (url = system.api.url) => {
    const { key } = await register(url);
    const res = await call<Query>(url, "/v1/queries", { key, json: { prompt: "hold the line" } });
    expect(res.status).toBe(202);
    return { key, query: res.body };
  };
  const open = async (key: string, queryId: string, url = system.api.url) => {
    const stream = await openStream(url, key, queryId);
    streams.push(stream);
    return stream;
  };
  /** Opens a stream that must get a place, once places given back are free again. */
  const openWhenFree = (key: string, queryId: string, url = system.api.url) =>
    eventually(
      "a stream to get a place",
      async () => {
        const stream = await open(key, queryId, url);
        return stream.status !== 429 ? stream : undefined;
      },
      { intervalMs: 50 },
    );
  const closeAll = () => {
    for (const s of streams.splice(0)) s.close();
  };

  it("refuses a user's stream past the per-user cap with 429 and Retry-After, and frees the place on close", async () => {
    const { key, query } = await newUserWithQuery();
    const first = [await openWhenFree(key, query.id), await open(key, query.id), await open(key, query.id)];
    expect(first.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await open(key, query.id);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.detail).toMatch(/at most 3 event streams/);

    first[0]?.close();
    expect((await openWhenFree(key, query.id)).status).toBe(200);
    closeAll();
  });

  it("refuses a stream past the per-process cap, whoever asks", async () => {
    const a = await newUserWithQuery();
    const b = await newUserWithQuery();
    for (let i = 0; i < 3; i++) expect((await openWhenFree(a.key, a.query.id)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await openWhenFree(b.key, b.query.id)).status).toBe(200);
    const refused = await open(b.key, b.query.id);
    expect(refused.status).toBe(429);
    expect(refused.detail).toMatch(/this server/);
    closeAll();
  });

  it("ends every stream of a query when its conversation is deleted", async () => {
    const { key, query } = await newUserWithQuery();
    const held = [await openWhenFree(key, query.id), await openWhenFree(key, query.id)];
    expect(held.map((s) => s.status)).toEqual([200, 200]);
    const deleted = await call(system.api.url, `/v1/conversations/${query.conversationId}`, { key, method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await Promise.all(held.map((s) => endsWithin(s, 10_000)))).toEqual(["ended", "ended"]);
    closeAll();
  });

  it("ends a stream at its maximum lifetime, though its query is still open", async () => {
    const shortLived = await startApi({ ...system.env, SSE_MAX_LIFETIME_SECONDS: "1" });
    extra.push(shortLived);
    const { key, query } = await newUserWithQuery(shortLived.url);
    const stream = await openWhenFree(key, query.id, shortLived.url);
    expect(stream.status).toBe(200);
    expect(await endsWithin(stream, 10_000)).toBe("ended");
    expect(stream.text()).not.toContain("event: done");
    const now = await call<Query>(shortLived.url, `/v1/queries/${query.id}`, { key });
    expect(now.body.status).toBe("queued");
  });
});
