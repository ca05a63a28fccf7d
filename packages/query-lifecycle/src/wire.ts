import { createConversationOrder } from "./conversation-order.js";
import { createQueryLifecycle, type LifecycleDeps } from "./lifecycle.js";
import { createLiveQueries, liveQueryTtls } from "./live-queries.js";

/** The pub/sub channel on which every worker hears which running query was canceled. */
export const cancelChannelOf = (keyPrefix: string) => `${keyPrefix}:cancel`;

export type LifecycleParts = Omit<LifecycleDeps, "live" | "order" | "cancelChannel"> & { keyPrefix: string };

/** Builds the lifecycle with its live state and the conversation order that asks it who is open. */
export function wireQueryLifecycle(parts: LifecycleParts) {
  const live = createLiveQueries(parts.redis, { keyPrefix: parts.keyPrefix, ...liveQueryTtls });
  const order = createConversationOrder(parts.ledger, (id) => lifecycle.isOpen(id), parts.producer);
  const lifecycle = createQueryLifecycle({ ...parts, live, order, cancelChannel: cancelChannelOf(parts.keyPrefix) });
  return { lifecycle, order };
}
