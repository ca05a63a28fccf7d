/**
 * A provider's circuit breaker refused the call: nothing was sent, so nothing about the
 * query was learnt. Not a failure of the query: callers should wait until `retryAt`
 * (when the breaker lets a call through again) without counting it against the query.
 */
export class CircuitOpenError extends Error {
  constructor(
    readonly provider: string,
    /** Epoch ms from which a call may be let through again. */
    readonly retryAt: number,
  ) {
    super(`circuit open for ${provider}: not calling it until it recovers`);
    this.name = "CircuitOpenError";
  }
}
