import { createParser, type EventSourceMessage } from "eventsource-parser";
import { ServerError } from "./errors.js";
import { sleep } from "./sleep.js";
import { authHeaders, buildUrl, errorFromResponse, networkFailure, type Transport } from "./transport.js";
import type { QueryStreamEvent } from "./types.js";

export interface StreamOptions {
  /** Start after this event (the `id` of the last event already seen); default: from the start. */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Reconnects in a row that may fail before the stream gives up; default 5. */
  maxReconnects?: number;
  /** First delay before a reconnect, doubled per failure up to 5 s; default 250 ms (or the server's `retry:`). */
  reconnectDelayMs?: number;
  /** Told of every reconnect, e.g. to log it; `lastEventId` is where the stream resumes. */
  onReconnect?: (info: { attempt: number; lastEventId: string | null; error: unknown }) => void;
}

const MAX_DELAY_MS = 5_000;

/** A connection that ended or broke before `done`: the caller reconnects from the last id. */
class Dropped extends Error {}

function toEvent(message: EventSourceMessage): QueryStreamEvent | null {
  const id = message.id ?? null;
  const data = JSON.parse(message.data) as Record<string, unknown>;
  switch (message.event) {
    case "status":
      return { ...data, type: "status", id } as QueryStreamEvent;
    case "output":
      return { ...data, type: "output", id } as QueryStreamEvent;
    case "done":
      return { ...data, type: "done", id } as QueryStreamEvent;
    default:
      // An event type this version does not know: skipped, so newer servers do not break older clients.
      return null;
  }
}

/**
 * The query's events as they happen, ending after `done`. A dropped connection (network
 * error, proxy timeout, server restart) is reopened with `Last-Event-ID`, so the caller
 * sees every event exactly once; the server replays from its log. HTTP errors other than
 * 5xx are not retried: they would not change.
 */
export async function* streamQueryEvents(
  transport: Transport,
  queryId: string,
  options: StreamOptions = {},
): AsyncGenerator<QueryStreamEvent, void, undefined> {
  const url = buildUrl(transport, `/v1/queries/${encodeURIComponent(queryId)}/events`);
  const maxReconnects = options.maxReconnects ?? 5;
  let delay = options.reconnectDelayMs ?? 250;
  let lastEventId = options.lastEventId ?? null;
  let failures = 0;

  for (;;) {
    const connection = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, connection.signal]) : connection.signal;
    let progressed = false;
    try {
      const headers: Record<string, string> = { ...authHeaders(transport), accept: "text/event-stream" };
      if (lastEventId) headers["last-event-id"] = lastEventId;
      let response: Response;
      try {
        response = await transport.fetch(url, { headers, signal });
      } catch (error) {
        throw new Dropped("connect failed", { cause: networkFailure(url, error, options.signal) });
      }
      if (!response.ok) {
        const error = await errorFromResponse(response);
        if (error instanceof ServerError) throw new Dropped("server error", { cause: error });
        throw error;
      }
      if (!response.body) throw new Dropped("no body");

      const pending: QueryStreamEvent[] = [];
      const parser = createParser({
        onEvent: (message) => {
          const event = toEvent(message);
          if (event) pending.push(event);
        },
        onRetry: (ms) => {
          delay = ms;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            throw new Dropped("connection broke", { cause: networkFailure(url, error, options.signal) });
          }
          if (chunk.done) throw new Dropped("stream ended before done");
          parser.feed(chunk.value);
          for (let event = pending.shift(); event; event = pending.shift()) {
            if (event.id) lastEventId = event.id;
            progressed = true;
            yield event;
            if (event.type === "done") return;
          }
        }
      } finally {
        // Also runs when the consumer stops iterating early: close the connection.
        connection.abort();
        reader.releaseLock();
      }
    } catch (error) {
      if (!(error instanceof Dropped)) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      // A connection that delivered something resets the count: only failures in a row give up.
      failures = progressed ? 1 : failures + 1;
      const cause = error.cause;
      if (failures > maxReconnects) throw cause instanceof Error ? cause : error;
      options.onReconnect?.({ attempt: failures, lastEventId, error: cause });
      await sleep(Math.min(delay * 2 ** (failures - 1), MAX_DELAY_MS), options.signal);
    }
  }
}
