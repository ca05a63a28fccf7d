import type { IdempotencyDoc } from "./documents.js";
import { type Collections, isDuplicateKey } from "./mongo.js";

/** Keys are honoured for a day, as Stripe and OpenAI do; older ones are free again. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** A key's record with the query id it stands for (decided before that query is submitted). */
export type IdempotencyRecord = IdempotencyDoc & { queryId: string };

/**
 * Idempotency keys, each mapped to the id of the one query it may create. The id is written
 * before the query is submitted, so whoever retries the key (after a crash, a lost response
 * or a failed request) submits under the same id, and the store's unique `_id` lets at most
 * one such query exist. Who may submit right now is decided elsewhere (a short Redis lease,
 * apps/api/src/use-cases/idempotency-lease.ts); this record is the durable part, kept for the window.
 * (FerretDB has no TTL indexes; expired keys are replaced here and swept by `deleteExpired`.)
 */
export function createIdempotencyRepo(c: Collections) {
  const idFor = (userId: string, key: string) => `${userId}:${key}`;
  const inWindow = (doc: IdempotencyDoc, now: Date) => now.getTime() - doc.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS;
  return {
    /**
     * The key's record: the one in force, or a new one naming `queryId` when the key is
     * unused (or its window is over). Of two requests racing with one key, both get the
     * record whichever of them wrote it.
     */
    async reserve(
      userId: string,
      key: string,
      bodyHash: string,
      queryId: string,
      now: Date,
    ): Promise<IdempotencyRecord> {
      const _id = idFor(userId, key);
      for (let tries = 0; tries < 3; tries++) {
        try {
          const doc: IdempotencyRecord = { _id, userId, bodyHash, queryId, createdAt: now };
          await c.idempotency.insertOne(doc);
          return doc;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const existing = await c.idempotency.findOne({ _id });
        if (!existing) continue;
        if (!inWindow(existing, now)) {
          await c.idempotency.deleteOne({ _id, createdAt: existing.createdAt });
          continue;
        }
        if (existing.queryId !== null) return { ...existing, queryId: existing.queryId };
        // Written by a version that decided the query id only after submitting: decide it now.
        await c.idempotency.updateOne({ _id, queryId: null }, { $set: { queryId } });
      }
      throw new Error("could not reserve an idempotency key");
    },

    /** The record's query was accepted: should it be deleted later, a repeat must not make it anew. */
    async accepted(userId: string, key: string, queryId: string, now: Date): Promise<void> {
      await c.idempotency.updateOne({ _id: idFor(userId, key), queryId }, { $set: { acceptedAt: now } });
    },

    /** The query under this record was never accepted: let a retry with the same key start over. */
    async release(userId: string, key: string, queryId: string): Promise<void> {
      await c.idempotency.deleteOne({ _id: idFor(userId, key), queryId });
    },

    find(userId: string, key: string): Promise<IdempotencyDoc | null> {
      return c.idempotency.findOne({ _id: idFor(userId, key) });
    },

    async deleteExpired(now: Date): Promise<number> {
      const result = await c.idempotency.deleteMany({
        createdAt: { $lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) },
      });
      return result.deletedCount;
    },
  };
}

export type IdempotencyRepo = ReturnType<typeof createIdempotencyRepo>;
