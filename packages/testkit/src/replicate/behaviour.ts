/** Defaults and validation for the stand-in's runtime-adjustable knobs. */
import { randomSeed } from "../shared/prng.js";
import { defaultReply } from "./reply.js";
import type { ReplyFunction, StandInBehaviour, StreamUrlPolicy } from "./types.js";

const STREAM_URL_POLICIES: readonly StreamUrlPolicy[] = ["when-requested", "always"];

export interface ResolvedBehaviour {
  latencyMs: number;
  tokenDelayMs: number;
  rate429: number;
  rate500: number;
  retryAfterSeconds: number;
  seed: number;
  reply: ReplyFunction;
  streamUrls: StreamUrlPolicy;
}

export function defaultBehaviour(): ResolvedBehaviour {
  return {
    latencyMs: 50,
    tokenDelayMs: 0,
    rate429: 0,
    rate500: 0,
    retryAfterSeconds: 1,
    seed: randomSeed(),
    reply: defaultReply,
    streamUrls: "when-requested",
  };
}

function check(name: string, value: number | undefined, valid: (n: number) => boolean, expected: string): void {
  // Fail loudly: a typo like rate429: 50 would otherwise silently mean "always".
  if (value !== undefined && !(Number.isFinite(value) && valid(value))) {
    throw new RangeError(`stand-in: ${name} must be ${expected}, got ${value}`);
  }
}

/** The timing and failure-injection knobs every stand-in shares. */
export type CommonKnobs = Pick<
  StandInBehaviour,
  "latencyMs" | "tokenDelayMs" | "rate429" | "rate500" | "retryAfterSeconds" | "seed"
>;

/** Throws RangeError when a defined knob of `patch` is out of range. */
export function checkCommonKnobs(patch: CommonKnobs): void {
  check("latencyMs", patch.latencyMs, (n) => n >= 0, "a number >= 0");
  check("tokenDelayMs", patch.tokenDelayMs, (n) => n >= 0, "a number >= 0");
  check("rate429", patch.rate429, (n) => n >= 0 && n <= 1, "a probability between 0 and 1");
  check("rate500", patch.rate500, (n) => n >= 0 && n <= 1, "a probability between 0 and 1");
  check("retryAfterSeconds", patch.retryAfterSeconds, (n) => Number.isInteger(n) && n >= 0, "an integer >= 0");
  check("seed", patch.seed, () => true, "a finite number");
}

/** Returns `base` overridden by the defined fields of `patch`; throws RangeError on nonsense. */
export function mergeBehaviour(base: ResolvedBehaviour, patch: StandInBehaviour): ResolvedBehaviour {
  checkCommonKnobs(patch);
  // Plain JavaScript callers can pass anything; a typo must not mean "never".
  if (patch.streamUrls !== undefined && !STREAM_URL_POLICIES.includes(patch.streamUrls)) {
    throw new RangeError(`stand-in: streamUrls must be "when-requested" or "always", got ${String(patch.streamUrls)}`);
  }
  return {
    latencyMs: patch.latencyMs ?? base.latencyMs,
    tokenDelayMs: patch.tokenDelayMs ?? base.tokenDelayMs,
    rate429: patch.rate429 ?? base.rate429,
    rate500: patch.rate500 ?? base.rate500,
    retryAfterSeconds: patch.retryAfterSeconds ?? base.retryAfterSeconds,
    seed: patch.seed ?? base.seed,
    reply: patch.reply ?? base.reply,
    streamUrls: patch.streamUrls ?? base.streamUrls,
  };
}
