import { isFinal, type Query } from "@llm-chat/contracts";
import { WaitTimeoutError } from "./errors.js";
import { sleep } from "./sleep.js";

export interface WaitOptions {
  /** Give up (WaitTimeoutError) after this long; default 10 minutes, past the API's own query deadline. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** First poll interval; grows by half each poll up to `maxIntervalMs`. Default 200 ms. */
  intervalMs?: number;
  /** Default 2000 ms. */
  maxIntervalMs?: number;
}

export const DEFAULT_WAIT_MS = 600_000;

/**
 * Polls with a growing interval until the query is terminal: fast answers come back fast,
 * and a long run costs a poll every two seconds rather than a steady hammer.
 */
export async function pollUntilDone(
  get: (signal: AbortSignal | undefined) => Promise<Query>,
  first: Query | null,
  options: WaitOptions = {},
): Promise<Query> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  let interval = options.intervalMs ?? 200;
  const maxInterval = options.maxIntervalMs ?? 2_000;
  let query = first ?? (await get(options.signal));
  while (!isFinal(query.status)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(query, timeoutMs);
    await sleep(Math.min(interval, left), options.signal);
    interval = Math.min(interval * 1.5, maxInterval);
    query = await get(options.signal);
  }
  return query;
}
