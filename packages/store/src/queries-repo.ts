import type { QueryErrorCode, QueryMetrics, QueryStatus } from "@llm-chat/contracts";
import type { Filter } from "mongodb";
import type { QueryDoc, QueryOutcomeDoc } from "./documents.js";
import { newId } from "./ids.js";
import { type Collections, isDuplicateKey } from "./mongo.js";

export type NewQuery = Pick<QueryDoc, "userId" | "conversationId" | "seq" | "model" | "prompt" | "params" | "webhook">;

const emptyMetrics: QueryMetrics = {
  queueMs: null,
  modelMs: null,
  totalMs: null,
  inputTokens: null,
  outputTokens: null,
};
const open: QueryStatus[] = ["queued", "running"];
export const isOpenStatus = (status: QueryStatus) => open.includes(status);

type Outcome = Omit<QueryOutcomeDoc, "_id">;

/**
 * Every read and write on the request and job paths addresses one document by its _id
 * alone: FerretDB (the MongoDB-compatible server of tests and small installs) serves only
 * that filter from an index and reads the whole collection for any other. Questions that
 * would need another filter are answered by the query ledger in Redis (see @llm-chat/queue)
 * or, for the one race that matters (who decides how a query ends), by the unique _id of
 * its outcome document.
 */
export function createQueriesRepo(c: Collections) {
  /** Copies a decided outcome onto the query document. Idempotent. False when the query is gone. */
  async function applyOutcome(id: string, outcome: Outcome): Promise<boolean> {
    const set: Partial<QueryDoc> = {
      status: outcome.status,
      output: outcome.output,
      error: outcome.error,
      finishedAt: outcome.finishedAt,
    };
    if (outcome.metrics) set.metrics = outcome.metrics;
    const result = await c.queries.updateOne({ _id: id }, { $set: set });
    return result.matchedCount === 1;
  }

  /**
   * Decides how the query ends, unless that is already decided. The loser of a race copies
   * the winner's outcome onto the query (it may have just overwritten it with `running`).
   */
  async function decide(id: string, outcome: Outcome): Promise<boolean> {
    // No read first: every query that ended has its outcome document, so the insert alone
    // tells whether this one is still open.
    try {
      await c.outcomes.insertOne({ _id: id, ...outcome });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await settle(id);
      return false;
    }
    if (!(await applyOutcome(id, outcome))) {
      // The query is gone (its conversation was deleted meanwhile): nothing was decided.
      await c.outcomes.deleteOne({ _id: id });
      return false;
    }
    return true;
  }

  /** If the query's outcome was decided, makes its document say so. True when it was. */
  async function settle(id: string): Promise<boolean> {
    const decided = await c.outcomes.findOne({ _id: id });
    if (!decided) return false;
    const { _id, ...outcome } = decided;
    await applyOutcome(_id, outcome);
    return true;
  }

  return {
    /** A new query document; `_id` may be given when the caller reserved places under it first. */
    build(input: NewQuery, id: string = newId("query")): QueryDoc {
      return {
        _id: id,
        ...input,
        status: "queued",
        output: null,
        error: null,
        attempts: 0,
        createdAt: new Date(),
        startedAt: null,
        finishedAt: null,
        metrics: emptyMetrics,
      };
    },

    newId: () => newId("query"),

    /** Inserts; a taken (conversationId, seq) throws a duplicate-key error (unique index). */
    async insert(doc: QueryDoc): Promise<void> {
      await c.queries.insertOne(doc);
    },

    /** The highest seq stored for the conversation, or −1. Reads many documents: not for every request. */
    async lastSeq(conversationId: string): Promise<number> {
      const last = await c.queries.findOne({ conversationId }, { sort: { seq: -1 }, projection: { seq: 1 } });
      return last ? last.seq : -1;
    },

    async delete(id: string): Promise<void> {
      await c.queries.deleteOne({ _id: id });
    },

    /** Scoped by owner: another user's query is indistinguishable from a missing one. */
    async findForUser(id: string, userId: string): Promise<QueryDoc | null> {
      const doc = await c.queries.findOne({ _id: id });
      return doc?.userId === userId ? doc : null;
    },

    findById(id: string): Promise<QueryDoc | null> {
      return c.queries.findOne({ _id: id });
    },

    async isOpen(id: string): Promise<boolean> {
      const doc = await c.queries.findOne({ _id: id }, { projection: { status: 1 } });
      return doc !== null && isOpenStatus(doc.status);
    },

    async listForUser(
      userId: string,
      filter: { conversationId?: string | undefined; status?: QueryStatus | undefined },
      limit: number,
      beforeId: string | null,
    ): Promise<QueryDoc[]> {
      const where: Filter<QueryDoc> = { userId };
      if (filter.conversationId) where.conversationId = filter.conversationId;
      if (filter.status) where.status = filter.status;
      if (beforeId) where._id = { $lt: beforeId };
      return c.queries.find(where).sort({ _id: -1 }).limit(limit).toArray();
    },

    async listIds(conversationId: string): Promise<string[]> {
      const docs = await c.queries.find({ conversationId }, { projection: { _id: 1 } }).toArray();
      return docs.map((d) => d._id);
    },

    listOpenIds(conversationId: string): Promise<string[]> {
      return c.queries
        .find({ conversationId, status: { $in: open } }, { projection: { _id: 1 } })
        .toArray()
        .then((docs) => docs.map((d) => d._id));
    },

    /**
     * Claims the query for an attempt. Null when it is already finished (a late or duplicate
     * job). Only the job's holder calls this (BullMQ's lock), so read-then-write by _id is
     * safe against other workers; a cancel landing in between is caught by settling after.
     */
    async markRunning(id: string, now: Date, read?: QueryDoc): Promise<QueryDoc | null> {
      // `read`: the document as the caller just read it, to save reading it again.
      const doc = read ?? (await c.queries.findOne({ _id: id }));
      if (!doc || !isOpenStatus(doc.status)) return null;
      // queueMs measures the wait before the first attempt, so later attempts keep it.
      const startedAt = doc.startedAt ?? now;
      await c.queries.updateOne({ _id: id }, { $set: { status: "running", startedAt }, $inc: { attempts: 1 } });
      if (await settle(id)) return null;
      return { ...doc, status: "running", startedAt, attempts: doc.attempts + 1 };
    },

    /** A running query handed back to the queue (worker shutting down) is waiting again. */
    async markQueued(id: string): Promise<void> {
      const doc = await c.queries.findOne({ _id: id }, { projection: { status: 1 } });
      if (doc?.status !== "running") return;
      await c.queries.updateOne({ _id: id }, { $set: { status: "queued" } });
      await settle(id);
    },

    markSucceeded(id: string, output: string, metrics: QueryMetrics, finishedAt: Date): Promise<boolean> {
      return decide(id, { status: "succeeded", output, metrics, error: null, finishedAt });
    },

    markCanceled(id: string, finishedAt: Date): Promise<boolean> {
      return decide(id, { status: "canceled", output: null, metrics: null, error: null, finishedAt });
    },

    markFailed(id: string, code: QueryErrorCode, message: string, finishedAt: Date): Promise<boolean> {
      return decide(id, { status: "failed", output: null, metrics: null, error: { code, message }, finishedAt });
    },

    /** Makes an open query's document agree with its decided outcome, if it has one (repair after a crash). */
    settle,

    /** Open and created before `olderThan`: candidates for the sweeper to re-enqueue if Redis lost their job. */
    findStaleOpen(olderThan: Date, limit: number): Promise<QueryDoc[]> {
      return c.queries
        .find({ status: { $in: open }, createdAt: { $lt: olderThan } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .toArray();
    },

    async deleteForConversation(conversationId: string): Promise<void> {
      const ids = await this.listIds(conversationId);
      await c.queries.deleteMany({ conversationId });
      if (ids.length > 0) await c.outcomes.deleteMany({ _id: { $in: ids } });
    },
  };
}

export type QueriesRepo = ReturnType<typeof createQueriesRepo>;
