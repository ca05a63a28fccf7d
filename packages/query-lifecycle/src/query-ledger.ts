import { defineScript, type RedisClient } from "@llm-chat/queue";
import type { ChainableCommander } from "ioredis";

/**
 * Redis-side bookkeeping of open queries, so the request path never asks MongoDB a question
 * other than "the document with this _id" (FerretDB answers every other filter by reading
 * the whole collection, and even MongoDB pays an index walk per question):
 *
 * - per user, the set of open query ids, which enforces MAX_OPEN_QUERIES_PER_USER;
 * - per conversation, the next sequence number to hand out;
 * - per conversation, the open queries ordered by sequence number (who runs next).
 *
 * MongoDB stays the source of truth. Every entry here is a hint that callers check against
 * the query's own document before acting on it, and missing entries (Redis flushed, keys
 * expired) are rebuilt from MongoDB: the sequence counter from the conversation's queries,
 * the open sets by the sweeper as it re-enqueues.
 */
export interface QueryLedgerConfig {
  keyPrefix: string;
  /** Idle conversations' counters and sets expire after this (default 7 days); they are rebuilt on next use. */
  ttlSeconds?: number;
}

export interface LedgerPlace {
  conversationId: string;
  seq: number;
}

// Adds only below the cap; one script so two submits cannot both take the last place.
// The count comes first: below the cap (the usual case) ZADD NX both adds a new query and
// keeps the place and score of one already there, so only a user at the cap pays for the
// ZSCORE that tells a query holding a place from one asking for a new one.
const RESERVE = `
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return 1
end
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 1 end
return 0`;

// INCR only a counter that exists: a missing one must be rebuilt from MongoDB first, or
// numbering would restart at 0 and collide with the conversation's earlier queries.
const NEXT_SEQ = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n`;

// Raises the counter to at least ARGV[1] (never lowers it: another submit may be ahead).
const RAISE_SEQ = `
local cur = redis.call('GET', KEYS[1])
if not cur or tonumber(cur) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

export function createQueryLedger(redis: RedisClient, config: QueryLedgerConfig) {
  const userKey = (userId: string) => `${config.keyPrefix}:ledger:open:${userId}`;
  const seqKey = (conversationId: string) => `${config.keyPrefix}:ledger:seq:${conversationId}`;
  const orderKey = (conversationId: string) => `${config.keyPrefix}:ledger:order:${conversationId}`;
  const ttlSeconds = config.ttlSeconds ?? 7 * 24 * 3600;
  const ttl = String(ttlSeconds);
  const reserveScript = defineScript(redis, "llmChatLedgerReserve", RESERVE);
  const nextSeq = defineScript(redis, "llmChatLedgerNextSeq", NEXT_SEQ);
  const raiseSeq = defineScript(redis, "llmChatLedgerRaiseSeq", RAISE_SEQ);

  return {
    /** Takes one of the user's open-query places for `queryId`; false when all `cap` are taken. */
    async reserve(userId: string, queryId: string, cap: number): Promise<boolean> {
      const taken = await reserveScript(userKey(userId), cap, queryId, Date.now(), ttl);
      return taken === 1;
    },

    /** The ids holding the user's places, oldest first. */
    openOf(userId: string): Promise<string[]> {
      return redis.zrange(userKey(userId), 0, -1);
    },

    /** Frees the user's place and the conversation's slot of a query that is no longer open. */
    async release(userId: string, queryId: string, conversationId?: string): Promise<void> {
      await Promise.all([
        redis.zrem(userKey(userId), queryId),
        conversationId ? this.leave(queryId, conversationId) : Promise.resolve(),
      ]);
    },

    /** Starts a new conversation's numbering: its first query is 0. */
    async startConversation(conversationId: string): Promise<number> {
      await redis.set(seqKey(conversationId), 0, "EX", ttlSeconds);
      return 0;
    },

    /**
     * The next sequence number of the conversation. `lastInStore` gives the highest one
     * MongoDB holds (or −1); it is asked only when Redis has no counter for the conversation.
     */
    async nextSeq(conversationId: string, lastInStore: () => Promise<number>): Promise<number> {
      const key = seqKey(conversationId);
      const n = Number(await nextSeq(key, ttl));
      if (n >= 0) return n;
      await this.raiseSeq(conversationId, await lastInStore());
      return Number(await nextSeq(key, ttl));
    },

    /** After a number turned out to be taken in MongoDB: skip the counter past `last`. */
    async raiseSeq(conversationId: string, last: number): Promise<void> {
      await raiseSeq(seqKey(conversationId), last, ttl);
    },

    /** Places an accepted query in its conversation's line. */
    async enter(queryId: string, place: LedgerPlace): Promise<void> {
      const tx = redis.multi();
      this.enterIn(tx, queryId, place);
      await tx.exec();
    },

    /** `enter`, added to a transaction or pipeline of the caller's. */
    enterIn(tx: ChainableCommander, queryId: string, place: LedgerPlace): void {
      const key = orderKey(place.conversationId);
      tx.zadd(key, place.seq, queryId);
      tx.expire(key, ttlSeconds);
    },

    /** The earliest query in line before `place`, if any. */
    async firstBefore(place: LedgerPlace): Promise<string | null> {
      const [id] = await redis.zrangebyscore(orderKey(place.conversationId), "-inf", `(${place.seq}`, "LIMIT", 0, 1);
      return id ?? null;
    },

    /** The earliest query in line after `place`, if any. */
    async firstAfter(place: LedgerPlace): Promise<string | null> {
      const [id] = await redis.zrangebyscore(orderKey(place.conversationId), `(${place.seq}`, "+inf", "LIMIT", 0, 1);
      return id ?? null;
    },

    /** Removes a stale entry from the line (its query turned out to be finished or gone). */
    async leave(queryId: string, conversationId: string): Promise<void> {
      await redis.zrem(orderKey(conversationId), queryId);
    },

    async dropConversation(conversationId: string): Promise<void> {
      await Promise.all([redis.del(seqKey(conversationId)), redis.del(orderKey(conversationId))]);
    },
  };
}

export type QueryLedger = ReturnType<typeof createQueryLedger>;
