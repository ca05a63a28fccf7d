import type { QueryErrorCode, QueryMetrics, QueryStatus } from "@llm-chat/contracts";
import type { Filter } from "mongodb";
import type { QueryDoc } from "./documents.js";
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

export function createQueriesRepo(c: Collections) {
  return {
    build(input: NewQuery): QueryDoc {
      return {
        _id: newId("query"),
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

    /**
     * Inserts the query as the next of its conversation. The number comes from the unique
     * (conversationId, seq) index rather than a counter: two submits racing for one number
     * cannot both win, and the loser simply takes the next. (A findAndModify $inc counter
     * loses updates under concurrency on FerretDB 1.x, so it cannot be trusted for this.)
     */
    async insertNext(input: Omit<NewQuery, "seq">): Promise<QueryDoc> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const last = await c.queries.findOne(
          { conversationId: input.conversationId },
          { sort: { seq: -1 }, projection: { seq: 1 } },
        );
        const doc = this.build({ ...input, seq: last ? last.seq + 1 : 0 });
        try {
          await c.queries.insertOne(doc);
          return doc;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      throw new Error(`could not number a query in conversation ${input.conversationId}: too much contention`);
    },

    async delete(id: string): Promise<void> {
      await c.queries.deleteOne({ _id: id });
    },

    findForUser(id: string, userId: string): Promise<QueryDoc | null> {
      return c.queries.findOne({ _id: id, userId });
    },

    findById(id: string): Promise<QueryDoc | null> {
      return c.queries.findOne({ _id: id });
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

    /** The earliest still-open query before `seq` in the conversation: the one to wait for. */
    findBlocker(conversationId: string, seq: number): Promise<QueryDoc | null> {
      return c.queries.findOne(
        { conversationId, seq: { $lt: seq }, status: { $in: open } },
        { sort: { seq: 1 }, projection: { _id: 1, seq: 1, status: 1 } },
      );
    },

    /** The next open query after `seq`: the one to wake when this one ends. */
    findNextOpen(conversationId: string, seq: number): Promise<QueryDoc | null> {
      return c.queries.findOne(
        { conversationId, seq: { $gt: seq }, status: { $in: open } },
        { sort: { seq: 1 }, projection: { _id: 1, seq: 1 } },
      );
    },

    /** Queued and running queries of a user, counted up to `cap` (enough to enforce it). */
    countOpenForUser(userId: string, cap: number): Promise<number> {
      return c.queries.countDocuments({ userId, status: { $in: open } }, { limit: cap });
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

    /** Claims the query for an attempt. Null when it is already finished (a late or duplicate job). */
    async markRunning(id: string, now: Date): Promise<QueryDoc | null> {
      const doc = await c.queries.findOneAndUpdate(
        { _id: id, status: { $in: open } },
        { $set: { status: "running" }, $inc: { attempts: 1 } },
        { returnDocument: "after" },
      );
      if (doc && doc.startedAt === null) {
        // queueMs measures the wait before the first attempt, so later attempts keep it.
        await c.queries.updateOne({ _id: id, startedAt: null }, { $set: { startedAt: now } });
        doc.startedAt = now;
      }
      return doc;
    },

    /** A running query handed back to the queue (worker shutting down) is waiting again. */
    async markQueued(id: string): Promise<void> {
      await c.queries.updateOne({ _id: id, status: "running" }, { $set: { status: "queued" } });
    },

    async markSucceeded(id: string, output: string, metrics: QueryMetrics, finishedAt: Date): Promise<boolean> {
      const result = await c.queries.updateOne(
        { _id: id, status: { $in: open } },
        { $set: { status: "succeeded", output, metrics, finishedAt, error: null } },
      );
      return result.modifiedCount === 1;
    },

    async markCanceled(id: string, finishedAt: Date): Promise<boolean> {
      const result = await c.queries.updateOne(
        { _id: id, status: { $in: open } },
        { $set: { status: "canceled", finishedAt } },
      );
      return result.modifiedCount === 1;
    },

    async markFailed(id: string, code: QueryErrorCode, message: string, finishedAt: Date): Promise<boolean> {
      const result = await c.queries.updateOne(
        { _id: id, status: { $in: open } },
        { $set: { status: "failed", error: { code, message }, finishedAt } },
      );
      return result.modifiedCount === 1;
    },

    /** Open and created before `olderThan`: candidates for the sweeper to re-enqueue if Redis lost their job. */
    findStaleOpen(olderThan: Date, limit: number): Promise<QueryDoc[]> {
      return c.queries
        .find({ status: { $in: open }, createdAt: { $lt: olderThan } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .toArray();
    },

    async deleteForConversation(conversationId: string): Promise<void> {
      await c.queries.deleteMany({ conversationId });
    },
  };
}

export type QueriesRepo = ReturnType<typeof createQueriesRepo>;
