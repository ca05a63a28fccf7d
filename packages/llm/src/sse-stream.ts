import { createParser } from "eventsource-parser";

export interface StreamHandlers {
  onOutput(delta: string): void;
}

export type StreamEnd =
  | { ended: "done"; reason: string | null }
  | { ended: "error"; detail: string }
  | { ended: "eof" };

/**
 * Reads a Replicate prediction stream (`urls.stream`, Server-Sent Events): `output` events
 * carry text deltas, `error` a failure, `done` the end. Returns how the stream ended; the
 * caller reads the prediction itself for the final status and metrics. `authorization` is
 * what `streamAuthorization` decided for this URL.
 */
export async function readPredictionStream(
  url: string,
  authorization: string | null,
  handlers: StreamHandlers,
  signal: AbortSignal | undefined,
): Promise<StreamEnd> {
  const headers: Record<string, string> = { accept: "text/event-stream", "cache-control": "no-store" };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw Object.assign(new Error(`stream answered HTTP ${response.status}`), {
      response: { status: response.status },
    });
  }

  let end: StreamEnd | null = null;
  const parser = createParser({
    onEvent(message) {
      if (end) return;
      if (message.event === "output") handlers.onOutput(message.data);
      else if (message.event === "error") end = { ended: "error", detail: message.data };
      else if (message.event === "done") end = { ended: "done", reason: doneReason(message.data) };
    },
  });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    while (!end) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return end ?? { ended: "eof" };
}

function doneReason(data: string): string | null {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === "object" && parsed !== null && "reason" in parsed && typeof parsed.reason === "string") {
      return parsed.reason;
    }
  } catch {
    // `done` with a non-JSON body carries no reason.
  }
  return null;
}
