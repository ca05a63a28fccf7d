/** Wake-ups of queries waiting for one breaker are spread over this long, so its trial call is not met by a crowd. */
export const BREAKER_WAKE_SPREAD_MS = 500;

/** What a query does while its model's provider refuses calls (circuit open). */
export type BreakerWait =
  /** Back to the delayed set until `until`, no attempt spent. */
  | { kind: "pause"; until: number }
  /** The provider will not be tried again before the query's deadline: fail it now, as unavailable. */
  | { kind: "give-up" };

/**
 * A query waits for its provider's breaker for as long as its own deadline allows (its
 * `timeoutSeconds`, or QUERY_TIMEOUT_MS): a partial outage delays queries without failing
 * them, and a long one fails them once waiting can no longer help. `spreadMs` (0 up to
 * BREAKER_WAKE_SPREAD_MS) staggers the wake-ups.
 */
export function waitForBreaker(retryAt: number, deadline: number, now: number, spreadMs: number): BreakerWait {
  const until = Math.max(retryAt, now) + spreadMs;
  return until >= deadline ? { kind: "give-up" } : { kind: "pause", until };
}
