/** Defaults and validation for the OpenAI stand-in's knobs, over the shared ones. */
import { defaultSharedBehaviour, mergeSharedBehaviour, type ResolvedSharedBehaviour } from "../shared/behaviour.js";
import { defaultChatReply } from "./reply.js";
import type { ChatReplyFunction, OpenAIStandInBehaviour } from "./types.js";

export interface ResolvedOpenAIBehaviour extends ResolvedSharedBehaviour {
  reply: ChatReplyFunction;
  models: readonly string[];
}

export function defaultOpenAIBehaviour(): ResolvedOpenAIBehaviour {
  return { ...defaultSharedBehaviour(), reply: defaultChatReply, models: ["llama3.2"] };
}

/** Returns `base` overridden by the defined fields of `patch`; throws RangeError on nonsense. */
export function mergeOpenAIBehaviour(
  base: ResolvedOpenAIBehaviour,
  patch: OpenAIStandInBehaviour,
): ResolvedOpenAIBehaviour {
  const shared = mergeSharedBehaviour(base, patch);
  const { models } = patch;
  // Plain JavaScript callers can pass anything; an empty id would match nothing useful.
  if (models !== undefined && !(Array.isArray(models) && models.every((id) => typeof id === "string" && id !== ""))) {
    throw new RangeError(`stand-in: models must be an array of non-empty strings, got ${JSON.stringify(models)}`);
  }
  return {
    ...shared,
    reply: patch.reply ?? base.reply,
    // Copied so a caller mutating its array later does not change the stand-in.
    models: models === undefined ? base.models : [...models],
  };
}
