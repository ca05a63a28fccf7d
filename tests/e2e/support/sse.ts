import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads an SSE response event by event, handing each to `onEvent` as it arrives; stops
 * when the server ends the stream, when `onEvent` returns "stop", or after `timeoutMs`.
 */
export async function readSse(
  url: string,
  key: string,
  onEvent: (event: SseEvent) => "stop" | undefined | Promise<"stop" | undefined>,
  options: { lastEventId?: string; timeoutMs?: number } = {},
): Promise<{ status: number; contentType: string | null }> {
  const controller = new AbortController();
  // A bound, not a pause: a stream that never ends is cut so the test fails instead of hanging.
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: "text/event-stream" };
  if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    const result = { status: response.status, contentType: response.headers.get("content-type") };
    if (!response.ok || !response.body) return result;
    const queue: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (message) => queue.push(message) });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return result;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) {
        const message = queue.shift();
        if (!message) break;
        const verdict = await onEvent({
          id: message.id,
          event: message.event ?? "message",
          data: JSON.parse(message.data) as Record<string, unknown>,
        });
        if (verdict === "stop") {
          await reader.cancel();
          return result;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
