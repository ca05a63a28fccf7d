import type { Producer } from "@llm-chat/queue";
import type { LedgerPlace, QueryLedger } from "./query-ledger.js";

/** Whether a query is still queued or running (its live state, or its record). */
export type IsOpen = (queryId: string) => Promise<boolean>;

/**
 * Queries of one conversation run one at a time, in submit order, without BullMQ Pro
 * groups: a job whose query has an earlier open query in its conversation goes back to
 * the delayed set, and whoever ends a query (a worker, or the API canceling one) promotes
 * the next one's job at once. The delay is only the fallback should that promotion be missed.
 *
 * The line itself lives in the ledger (Redis); each entry is confirmed against the query's
 * record before it holds anyone up, and entries whose query has ended are dropped on sight.
 */
export function createConversationOrder(ledger: QueryLedger, isOpen: IsOpen, producer: Producer) {
  return {
    /** The earlier query this one must wait for, if any. */
    async blocker(query: LedgerPlace): Promise<{ _id: string } | null> {
      for (;;) {
        const id = await ledger.firstBefore(query);
        if (id === null) return null;
        if (await isOpen(id)) return { _id: id };
        await ledger.leave(id, query.conversationId);
      }
    },

    /** Wakes the next open query of the conversation, if its job is waiting in the delayed set. */
    async promoteNext(query: LedgerPlace): Promise<void> {
      const nextId = await ledger.firstAfter(query);
      if (nextId === null) return;
      const job = await producer.queue("query").getJob(nextId);
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
