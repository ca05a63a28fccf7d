import { randomBytes } from "node:crypto";
import { run, sleep } from "./util.js";

export const SUBMIT_BODY = { prompt: "hi", model: "llama2" };

export interface QueryView {
  id: string;
  status: string;
  output: string | null;
  error: { code: string; message: string } | null;
  metrics: { queueMs: number | null; modelMs: number | null; totalMs: number | null } | null;
}

export const terminal = new Set(["succeeded", "failed", "canceled"]);

export async function register(api: string): Promise<string> {
  const email = `bench-${randomBytes(6).toString("hex")}@example.test`;
  const res = await fetch(`${api}/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery staple" }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { apiKey?: { secret?: string } };
  if (res.status !== 201 || !body.apiKey?.secret) throw new Error(`register: ${res.status} ${JSON.stringify(body)}`);
  return body.apiKey.secret;
}

export async function submit(api: string, key: string, timeoutMs = 30_000): Promise<string> {
  const res = await fetch(`${api}/v1/queries`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(SUBMIT_BODY),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 202 || !body.id) throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

export async function getQuery(api: string, key: string, id: string): Promise<QueryView> {
  const res = await fetch(`${api}/v1/queries/${id}`, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`get ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as QueryView;
}

/** GETs the query every `intervalMs` (after each answer) until it is terminal; bounded. */
export async function pollUntilDone(
  api: string,
  key: string,
  id: string,
  intervalMs: number,
  timeoutMs: number,
): Promise<{ view: QueryView; polls: number }> {
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  while (Date.now() < deadline) {
    run.check();
    const view = await getQuery(api, key, id);
    polls++;
    if (terminal.has(view.status)) return { view, polls };
    await sleep(intervalMs);
  }
  throw new Error(`query ${id} not finished within ${timeoutMs} ms (poll)`);
}

/**
 * Opens the query's event stream and resolves when its `done` event arrives, with that
 * event's data. Parses just enough SSE (event:/data: lines, blank line ends an event).
 */
export async function sseUntilDone(
  api: string,
  key: string,
  id: string,
  timeoutMs: number,
): Promise<{ status: string; events: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${api}/v1/queries/${id}/events`, {
      headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`events ${id}: ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let events = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`events ${id}: stream ended without done`);
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (block.startsWith(":")) continue; // heartbeat comment
        events++;
        if (event === "done") {
          await reader.cancel().catch(() => undefined);
          return { status: String((JSON.parse(data) as { status?: unknown }).status), events };
        }
      }
    }
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`query ${id} not finished within ${timeoutMs} ms (SSE)`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
