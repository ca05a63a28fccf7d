import { isFinal } from "@llm-chat/contracts";
import type { QueryEvent } from "@llm-chat/events";
import type { QueryPort } from "./query-port.js";

// How long a quiet stream waits before asking the record whether the query ended anyway.
const CHECK_MS = 10_000;

/**
 * A query's events from the start of its log, then live, ending with `done` (or when
 * `signal` aborts). Should the log be gone (expired, or Redis lost it), the record says
 * how the query ended and a `done` is made from it.
 */
export async function* followQuery(port: QueryPort, id: string, signal: AbortSignal): AsyncGenerator<QueryEvent> {
  let last: string | null = null;
  let appended = false;
  let askedRecord = false;
  let wake: (() => void) | null = null;
  const stop = port.listen(id, () => {
    appended = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  /** True when the log grew (or the client left), false after CHECK_MS of quiet. */
  const nextAppend = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CHECK_MS);
      wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted) {
      appended = false;
      const events = await port.eventsAfter(id, last);
      for (const logged of events) {
        last = logged.id;
        yield logged.event;
        if (logged.event.type === "done") return;
      }
      if (events.length > 0 || appended) continue;
      // A log with nothing in it at all may have expired: the record is asked at once then,
      // so a finished query does not keep its client waiting. A live log needs no store read.
      const woken = last !== null || askedRecord ? await nextAppend() : false;
      wake = null;
      askedRecord = true;
      if (woken || signal.aborted) continue;
      const record = await port.findById(id);
      if (!record || !isFinal(record.status)) continue;
      const rest = await port.eventsAfter(id, last);
      for (const logged of rest) {
        last = logged.id;
        yield logged.event;
        if (logged.event.type === "done") return;
      }
      yield { type: "done", status: record.status, output: record.output, error: record.error };
      return;
    }
  } finally {
    stop();
    signal.removeEventListener("abort", onAbort);
  }
}
