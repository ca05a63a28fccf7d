import { defineScript } from "@llm-chat/queue";
import type { MessagesRepo, Turn } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";

export interface HotHistoryConfig {
  keyPrefix: string;
  /** At most this many turns are kept per conversation. */
  maxTurns: number;
  ttlSeconds: number;
}

/**
 * Writes turns, caps the set and restarts its TTL, atomically and as one command (it was
 * MULTI, two commands per turn, ZREMRANGEBYRANK, EXPIRE, EXEC). KEYS[1], the only key
 * touched, is the conversation's set (Redis-Cluster-safe). ARGV: the rank below which
 * turns go (−(maxTurns + 1)), the TTL, then a score and a turn per turn written. Removing
 * what sits at a turn's score first keeps one copy of a turn recorded twice.
 */
const WRITE_SCRIPT = `
for i = 3, #ARGV, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i])
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * A capped copy of each conversation's recent turns in a Redis sorted set scored by the
 * turn's sequence number. MongoDB stays the source of truth: a missing key (expired,
 * evicted, flushed) is rebuilt from it. Writing a turn first removes whatever sits at
 * its score, so recording the same turn twice (a retried job) leaves exactly one copy.
 */
export function createHotHistory(redis: Redis | Cluster, messages: MessagesRepo, config: HotHistoryConfig) {
  const key = (conversationId: string) => `${config.keyPrefix}:history:${conversationId}`;
  const writeScript = defineScript(redis, "llmChatWriteHistory", WRITE_SCRIPT);
  const keepFromRank = String(-(config.maxTurns + 1));
  const ttl = String(config.ttlSeconds);

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
    // Keeps only what a prompt can use (maxTurns); older turns live on in MongoDB.
    await writeScript(k, keepFromRank, ttl, ...turns.flatMap((turn) => [String(turn.seq), JSON.stringify(turn)]));
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
