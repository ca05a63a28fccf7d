/** Defaults and validation for the Replicate stand-in's knobs, over the shared ones. */
import { defaultSharedBehaviour, mergeSharedBehaviour, type ResolvedSharedBehaviour } from "../shared/behaviour.js";
import { defaultReply } from "./reply.js";
import type { ReplyFunction, StandInBehaviour, StreamUrlPolicy } from "./types.js";

const STREAM_URL_POLICIES: readonly StreamUrlPolicy[] = ["when-requested", "always"];

export interface ResolvedBehaviour extends ResolvedSharedBehaviour {
  reply: ReplyFunction;
  streamUrls: StreamUrlPolicy;
}

export function defaultBehaviour(): ResolvedBehaviour {
  return { ...defaultSharedBehaviour(), reply: defaultReply, streamUrls: "when-requested" };
}

/** Returns `base` overridden by the defined fields of `patch`; throws RangeError on nonsense. */
export function mergeBehaviour(base: ResolvedBehaviour, patch: StandInBehaviour): ResolvedBehaviour {
  const shared = mergeSharedBehaviour(base, patch);
  // Plain JavaScript callers can pass anything; a typo must not mean "never".
  if (patch.streamUrls !== undefined && !STREAM_URL_POLICIES.includes(patch.streamUrls)) {
    throw new RangeError(`stand-in: streamUrls must be "when-requested" or "always", got ${String(patch.streamUrls)}`);
  }
  return { ...shared, reply: patch.reply ?? base.reply, streamUrls: patch.streamUrls ?? base.streamUrls };
}
