import { emptyQueryMetrics, isFinal, type QueryStatus, queryStatusSchema } from "@llm-chat/contracts";
import type { Filter } from "mongodb";
import type { QueryDoc } from "./documents.js";
import { newId } from "./ids.js";
import { insertEach } from "./insert-each.js";
import type { Collections } from "./mongo.js";

export type NewQuery = Pick<QueryDoc, "userId" | "conversationId" | "seq" | "model" | "prompt" | "params" | "webhook"> &
  Pick<Partial<QueryDoc>, "responses">;

const open = queryStatusSchema.options.filter((status) => !isFinal(status));

/** What a query's document says once it has ended (decided by the query's live state). */
export type FinalRecord = Pick<
  QueryDoc,
  "status" | "output" | "error" | "finishedAt" | "metrics" | "attempts" | "startedAt"
>;

/**
 * Every read and write on the request and job paths addresses one document by its _id
 * alone: FerretDB (the MongoDB-compatible server of tests and small installs) serves only
 * that filter from an index and reads the whole collection for any other. Who decides how
 * a query ends is settled in Redis (@llm-chat/query-lifecycle) before anything is written
 * here, so each query document is written twice: when accepted and when it has ended.
 */
export function createQueriesRepo(c: Collections) {
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
        metrics: { ...emptyQueryMetrics },
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

    /** Accepted queries, one command for many; answers per document (see insertEach). */
    insertMany: (docs: readonly QueryDoc[]) => insertEach(c.queries, docs),

    /**
     * Writes ended queries' final fields, one command for many. Returns the ids whose
     * document is gone (their conversation was deleted meanwhile).
     */
    async recordFinal(records: ReadonlyArray<{ id: string; record: FinalRecord }>): Promise<string[]> {
      if (records.length === 0) return [];
      const result = await c.queries.bulkWrite(
        records.map(({ id, record }) => ({ updateOne: { filter: { _id: id }, update: { $set: record } } })),
        { ordered: false },
      );
      if (result.matchedCount === records.length) return [];
      // Rare (a conversation deleted while its query ran): find which ones, by _id each.
      const found = await Promise.all(
        records.map(({ id }) => c.queries.findOne({ _id: id }, { projection: { _id: 1 } })),
      );
      return records.filter((_, i) => found[i] === null).map(({ id }) => id);
    },

    /** Open and created before `olderThan`: candidates for the sweeper to re-enqueue if Redis lost their job. */
    async findStaleOpen(olderThan: Date, limit: number): Promise<QueryDoc[]> {
      // One equality per status rather than `$in`: FerretDB pushes an equality down to its
      // PostgreSQL tables (and so to an index), not `$in`, which read every stored query on
      // each sweep. The few open ones are then ordered here.
      const byStatus = await Promise.all(
        open.map((status) =>
          c.queries
            .find({ status, createdAt: { $lt: olderThan } })
            .sort({ createdAt: 1 })
            .limit(limit)
            .toArray(),
        ),
      );
      return byStatus
        .flat()
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, limit);
    },

    async deleteForConversation(conversationId: string): Promise<void> {
      await c.queries.deleteMany({ conversationId });
    },
  };
}

export type QueriesRepo = ReturnType<typeof createQueriesRepo>;
