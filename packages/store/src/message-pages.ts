import type { MessageDoc } from "./documents.js";
import type { Collections } from "./mongo.js";

/** A conversation's messages a page at a time, in order; the position is a message's `order`. */
export function createMessagePagesRepo(c: Collections) {
  return {
    /** Up to `limit` messages after the one at `afterOrder` (from the start when null). */
    page(conversationId: string, afterOrder: number | null, limit: number): Promise<MessageDoc[]> {
      const filter = afterOrder === null ? { conversationId } : { conversationId, order: { $gt: afterOrder } };
      return c.messages.find(filter).sort({ order: 1 }).limit(limit).toArray();
    },
  };
}
