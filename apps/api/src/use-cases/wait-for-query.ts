import type { AppDeps } from "../deps.js";

/**
 * Resolves true once the query's event log says it is done, false after `ms` or when
 * `abort` fires (the client went away). Listens before reading, so a `done` appended in
 * between is never missed.
 */
export function waitForDone(deps: AppDeps, queryId: string, ms: number, abort: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    let last: string | null = null;
    const finish = (done: boolean) => {
      if (settled) return;
      settled = true;
      stop();
      clearTimeout(timer);
      abort.removeEventListener("abort", onAbort);
      resolve(done);
    };
    const check = async () => {
      try {
        const events = await deps.events.readAfter(queryId, last);
        for (const { id, event } of events) {
          last = id;
          if (event.type === "done") finish(true);
        }
      } catch {
        finish(false);
      }
    };
    const onAbort = () => finish(false);
    const stop = deps.hub.listen(queryId, () => void check());
    const timer = setTimeout(() => finish(false), ms);
    abort.addEventListener("abort", onAbort);
    void check();
  });
}
