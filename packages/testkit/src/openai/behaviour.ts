/** Defaults and validation for the OpenAI stand-in's runtime-adjustable knobs. */

import { checkCommonKnobs } from "../replicate/behaviour.js";
import { randomSeed } from "../shared/prng.js";
import { defaultChatReply } from "./reply.js";
import type { ChatReplyFunction, OpenAIStandInBehaviour } from "./types.js";

export interface ResolvedOpenAIBehaviour {
  latencyMs: number;
  tokenDelayMs: number;
  rate429: number;
  rate500: number;
  retryAfterSeconds: number;
  seed: number;
  reply: ChatReplyFunction;
  models: readonly string[];
}

export function defaultOpenAIBehaviour(): ResolvedOpenAIBehaviour {
  return {
    latencyMs: 50,
    tokenDelayMs: 0,
    rate429: 0,
    rate500: 0,
    retryAfterSeconds: 1,
    seed: randomSeed(),
    reply: defaultChatReply,
    models: ["llama3.2"],
  };
}

/** Returns `base` overridden by the defined fields of `patch`; throws RangeError on nonsense. */
export function mergeOpenAIBehaviour(
  base: ResolvedOpenAIBehaviour,
  patch: OpenAIStandInBehaviour,
): ResolvedOpenAIBehaviour {
  checkCommonKnobs(patch);
  const { models } = patch;
  // Plain JavaScript callers can pass anything; an empty id would match nothing useful.
  if (models !== undefined && !(Array.isArray(models) && models.every((id) => typeof id === "string" && id !== ""))) {
    throw new RangeError(`stand-in: models must be an array of non-empty strings, got ${JSON.stringify(models)}`);
  }
  return {
    latencyMs: patch.latencyMs ?? base.latencyMs,
    tokenDelayMs: patch.tokenDelayMs ?? base.tokenDelayMs,
    rate429: patch.rate429 ?? base.rate429,
    rate500: patch.rate500 ?? base.rate500,
    retryAfterSeconds: patch.retryAfterSeconds ?? base.retryAfterSeconds,
    seed: patch.seed ?? base.seed,
    reply: patch.reply ?? base.reply,
    // Copied so a caller mutating its array later does not change the stand-in.
    models: models === undefined ? base.models : [...models],
  };
}
