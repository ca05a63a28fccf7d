import type { Producer } from "./producer.js";

interface Place {
  conversationId: string;
  seq: number;
}

/** The two reads the order needs from the query records (MongoDB), kept abstract here. */
export interface QueryOrderSource {
  findBlocker(conversationId: string, seq: number): Promise<{ _id: string } | null>;
  findNextOpen(conversationId: string, seq: number): Promise<{ _id: string } | null>;
}

/**
 * Queries of one conversation run one at a time, in submit order, without BullMQ Pro
 * groups: a job whose query has an earlier open query in its conversation goes back to
 * the delayed set, and whoever ends a query (a worker, or the API cancelling one) promotes
 * the next one's job at once. The delay is only the fallback should that promotion be missed.
 */
export function createConversationOrder(queries: QueryOrderSource, producer: Producer) {
  return {
    /** The earlier query this one must wait for, if any. */
    blocker(query: Place): Promise<{ _id: string } | null> {
      return queries.findBlocker(query.conversationId, query.seq);
    },

    /** Wakes the next open query of the conversation, if its job is waiting in the delayed set. */
    async promoteNext(query: Place): Promise<void> {
      const next = await queries.findNextOpen(query.conversationId, query.seq);
      if (!next) return;
      const job = await producer.queue("query").getJob(next._id);
      if (!job || !(await job.isDelayed())) return;
      try {
        await job.promote();
      } catch {
        // Another process promoted or took it in the meantime: it runs either way.
      }
    },
  };
}

export type ConversationOrder = ReturnType<typeof createConversationOrder>;
