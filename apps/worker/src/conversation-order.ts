import type { Producer } from "@llm-chat/queue";
import type { QueryDoc, Store } from "@llm-chat/store";

/**
 * Queries of one conversation run one at a time, in submit order, without BullMQ Pro
 * groups: a job whose query has an earlier open query in its conversation goes back to
 * the delayed set, and whoever finishes a query promotes the next one's job at once. The
 * delay is only the fallback should that promotion be missed (a crash between the two).
 */
export function createConversationOrder(store: Store, producer: Producer) {
  return {
    /** The earlier query this one must wait for, if any. */
    blocker(query: Pick<QueryDoc, "conversationId" | "seq">): Promise<QueryDoc | null> {
      return store.queries.findBlocker(query.conversationId, query.seq);
    },

    /** Wakes the next open query of the conversation, if its job is waiting in the delayed set. */
    async promoteNext(query: Pick<QueryDoc, "conversationId" | "seq">): Promise<void> {
      const next = await store.queries.findNextOpen(query.conversationId, query.seq);
      if (!next) return;
      const job = await producer.queue("query").getJob(next._id);
      if (!job || !(await job.isDelayed())) return;
      try {
        await job.promote();
      } catch {
        // Another worker promoted or took it in the meantime: it runs either way.
      }
    },
  };
}

export type ConversationOrder = ReturnType<typeof createConversationOrder>;
