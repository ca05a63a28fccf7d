/**
 * The timing and fault-injection knobs every stand-in shares: their public shape, defaults and
 * validation. Each stand-in adds its own knobs on top (replicate/behaviour.ts, openai/behaviour.ts).
 */
import { randomSeed } from "./prng.js";

/** Knobs that may change while a stand-in runs (see its setBehaviour). */
export interface SharedBehaviour {
  /** Time from the request to the end of the generation (a terminal prediction, a complete answer), in ms. Default 50. */
  latencyMs?: number;
  /** Extra ms per output token, on top of latencyMs. Default 0. */
  tokenDelayMs?: number;
  /** Probability (0..1) that a request starting a generation (a create, a completion) answers 429. Default 0. */
  rate429?: number;
  /** Probability (0..1) that a request starting a generation answers 500. Default 0. */
  rate500?: number;
  /** Value of the Retry-After header on 429s, in whole seconds. Default 1. */
  retryAfterSeconds?: number;
  /** Seed for the failure-injection PRNG; setting it again restarts the sequence. */
  seed?: number;
}

/** Where a stand-in listens. */
export interface ListenOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0, i.e. a random free port. */
  port?: number;
}

export type ResolvedSharedBehaviour = Required<SharedBehaviour>;

export function defaultSharedBehaviour(): ResolvedSharedBehaviour {
  return { latencyMs: 50, tokenDelayMs: 0, rate429: 0, rate500: 0, retryAfterSeconds: 1, seed: randomSeed() };
}

function check(name: string, value: number | undefined, valid: (n: number) => boolean, expected: string): void {
  // Fail loudly: a typo like rate429: 50 would otherwise silently mean "always".
  if (value !== undefined && !(Number.isFinite(value) && valid(value))) {
    throw new RangeError(`stand-in: ${name} must be ${expected}, got ${value}`);
  }
}

/** Returns the shared knobs of `base` overridden by the defined ones of `patch`; throws RangeError on nonsense. */
export function mergeSharedBehaviour(base: ResolvedSharedBehaviour, patch: SharedBehaviour): ResolvedSharedBehaviour {
  check("latencyMs", patch.latencyMs, (n) => n >= 0, "a number >= 0");
  check("tokenDelayMs", patch.tokenDelayMs, (n) => n >= 0, "a number >= 0");
  check("rate429", patch.rate429, (n) => n >= 0 && n <= 1, "a probability between 0 and 1");
  check("rate500", patch.rate500, (n) => n >= 0 && n <= 1, "a probability between 0 and 1");
  check("retryAfterSeconds", patch.retryAfterSeconds, (n) => Number.isInteger(n) && n >= 0, "an integer >= 0");
  check("seed", patch.seed, () => true, "a finite number");
  return {
    latencyMs: patch.latencyMs ?? base.latencyMs,
    tokenDelayMs: patch.tokenDelayMs ?? base.tokenDelayMs,
    rate429: patch.rate429 ?? base.rate429,
    rate500: patch.rate500 ?? base.rate500,
    retryAfterSeconds: patch.retryAfterSeconds ?? base.retryAfterSeconds,
    seed: patch.seed ?? base.seed,
  };
}
