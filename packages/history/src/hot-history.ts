import type { MessagesRepo, Turn } from "@llm-chat/store";
import type { Redis } from "ioredis";

export interface HotHistoryConfig {
  keyPrefix: string;
  maxTurns: number;
  ttlSeconds: number;
}

/**
 * A capped copy of each conversation's recent turns in a Redis sorted set scored by the
 * turn's sequence number. MongoDB stays the source of truth: a missing key (expired,
 * evicted, flushed) is rebuilt from it. Writing a turn first removes whatever sits at
 * its score, so recording the same turn twice (a retried job) leaves exactly one copy.
 */
export function createHotHistory(redis: Redis, messages: MessagesRepo, config: HotHistoryConfig) {
  const key = (conversationId: string) => `${config.keyPrefix}:history:${conversationId}`;

  async function write(conversationId: string, turns: readonly Turn[]): Promise<void> {
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
  }

  return {
    /** The turns before `beforeSeq`, oldest first, at most `maxTurns`. */
    async load(conversationId: string, beforeSeq: number): Promise<{ turns: Turn[]; source: "redis" | "mongo" }> {
      const k = key(conversationId);
      const [exists, raw] = await Promise.all([redis.exists(k), redis.zrangebyscore(k, "-inf", `(${beforeSeq}`)]);
      if (exists === 1) {
        const turns = raw.map((entry) => JSON.parse(entry) as Turn).slice(-config.maxTurns);
        return { turns, source: "redis" };
      }
      const turns = await messages.recentTurns(conversationId, beforeSeq, config.maxTurns);
      await write(conversationId, turns);
      return { turns, source: "mongo" };
    },

    append: (conversationId: string, turn: Turn) => write(conversationId, [turn]),

    async drop(conversationId: string): Promise<void> {
      await redis.del(key(conversationId));
    },
  };
}

export type HotHistory = ReturnType<typeof createHotHistory>;
