import type { MessagesRepo, Turn } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";

export interface HotHistoryConfig {
  keyPrefix: string;
  /** At most this many turns are kept per conversation. */
  maxTurns: number;
  ttlSeconds: number;
}

/**
 * A capped copy of each conversation's recent turns in a Redis sorted set scored by the
 * turn's sequence number. MongoDB stays the source of truth: a missing key (expired,
 * evicted, flushed) is rebuilt from it. Writing a turn first removes whatever sits at
 * its score, so recording the same turn twice (a retried job) leaves exactly one copy.
 */
export function createHotHistory(redis: Redis | Cluster, messages: MessagesRepo, config: HotHistoryConfig) {
  const key = (conversationId: string) => `${config.keyPrefix}:history:${conversationId}`;

  /**
   * Keeps what a prompt can use: at most `maxTurns`, and no older turns than the newest ones
   * whose tokens already fill `tokenCap` (the model's window). Older turns live on in MongoDB.
   */
  async function trimToTokens(k: string, tokenCap: number): Promise<void> {
    const newestFirst = await redis.zrevrange(k, 0, -1);
    let total = 0;
    for (const entry of newestFirst) {
      const turn = JSON.parse(entry) as Turn;
      total += turn.userTokens + turn.assistantTokens;
      if (total > tokenCap) {
        await redis.zremrangebyscore(k, "-inf", `(${turn.seq}`);
        return;
      }
    }
  }

  async function write(conversationId: string, turns: readonly Turn[], tokenCap?: number): Promise<void> {
    if (turns.length === 0) return;
    const k = key(conversationId);
    const tx = redis.multi();
    for (const turn of turns) {
      tx.zremrangebyscore(k, turn.seq, turn.seq);
      tx.zadd(k, turn.seq, JSON.stringify(turn));
    }
    // Keep only what a prompt can use; older turns live on in MongoDB.
    tx.zremrangebyrank(k, 0, -(config.maxTurns + 1));
    tx.expire(k, config.ttlSeconds);
    const results = await tx.exec();
    const failed = results?.find(([error]) => error !== null);
    if (!results || failed) throw failed?.[0] ?? new Error("history write aborted");
    if (tokenCap !== undefined) await trimToTokens(k, tokenCap);
  }

  return {
    /** The turns before `beforeSeq`, oldest first, at most `maxTurns`. */
    async load(
      conversationId: string,
      beforeSeq: number,
      tokenCap?: number,
    ): Promise<{ turns: Turn[]; source: "redis" | "mongo" | "none" }> {
      // A conversation's first query has nothing before it: no need to ask either store.
      if (beforeSeq <= 0) return { turns: [], source: "none" };
      const k = key(conversationId);
      const [exists, raw] = await Promise.all([redis.exists(k), redis.zrangebyscore(k, "-inf", `(${beforeSeq}`)]);
      if (exists === 1) {
        const turns = raw.map((entry) => JSON.parse(entry) as Turn).slice(-config.maxTurns);
        return { turns, source: "redis" };
      }
      const turns = await messages.recentTurns(conversationId, beforeSeq, config.maxTurns);
      await write(conversationId, turns, tokenCap);
      return { turns, source: "mongo" };
    },

    append: (conversationId: string, turn: Turn, tokenCap?: number) => write(conversationId, [turn], tokenCap),

    /** Takes back a turn whose query turned out not to count (canceled or deleted meanwhile). */
    async remove(conversationId: string, seq: number): Promise<void> {
      await redis.zremrangebyscore(key(conversationId), seq, seq);
    },

    async drop(conversationId: string): Promise<void> {
      await redis.del(key(conversationId));
    },
  };
}

export type HotHistory = ReturnType<typeof createHotHistory>;
