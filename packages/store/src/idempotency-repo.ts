import type { IdempotencyDoc } from "./documents.js";
import { type Collections, isDuplicateKey } from "./mongo.js";

/** Keys are honoured for a day, as Stripe and OpenAI do; older ones are free again. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyDoc };

/**
 * Idempotency keys, claimed by inserting under a unique id: of two requests racing with
 * one key, exactly one inserts; the other sees its claim. (FerretDB has no TTL indexes;
 * expired keys are replaced on claim and swept by `deleteExpired`.)
 */
export function createIdempotencyRepo(c: Collections) {
  const idFor = (userId: string, key: string) => `${userId}:${key}`;
  return {
    async claim(userId: string, key: string, bodyHash: string, now: Date): Promise<Claim> {
      const doc: IdempotencyDoc = { _id: idFor(userId, key), userId, bodyHash, queryId: null, createdAt: now };
      for (let tries = 0; tries < 3; tries++) {
        try {
          await c.idempotency.insertOne(doc);
          return { claimed: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const existing = await c.idempotency.findOne({ _id: doc._id });
        if (!existing) continue;
        if (now.getTime() - existing.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS) return { claimed: false, existing };
        await c.idempotency.deleteOne({ _id: doc._id, createdAt: existing.createdAt });
      }
      throw new Error("could not claim an idempotency key");
    },

    async complete(userId: string, key: string, queryId: string): Promise<void> {
      await c.idempotency.updateOne({ _id: idFor(userId, key) }, { $set: { queryId } });
    },

    /** The request that claimed the key failed: let a retry with the same key try again. */
    async release(userId: string, key: string): Promise<void> {
      await c.idempotency.deleteOne({ _id: idFor(userId, key), queryId: null });
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
