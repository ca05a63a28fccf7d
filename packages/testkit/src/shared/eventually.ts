export interface EventuallyOptions {
  /** How long to keep asking before failing; 10 s unless told. */
  timeoutMs?: number;
  /** The pause between two asks; 25 ms unless told. */
  intervalMs?: number;
}

/** What a probe answers: `undefined`, `null` or `false` is "not yet"; anything else is the awaited value. */
export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/** What `eventually` rejects with when its time runs out (an error of the probe passes as it is). */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

/**
 * The one polling helper of the tests: asks `probe` until it answers a value, then resolves
 * with it. Bounded: after `timeoutMs` it rejects with an error naming `what` was awaited, so a
 * test fails instead of hanging. An error thrown by the probe ends the wait at once.
 */
export async function eventually<T>(what: string, probe: Probe<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
