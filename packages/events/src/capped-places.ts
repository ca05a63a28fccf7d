import { defineScript } from "@llm-chat/queue";
import type { Cluster, Redis } from "ioredis";

// One key per call, so it runs on Redis Cluster too. Idempotent for a member already held.
// Places older than the horizon are dropped first: a holder that died cannot keep one forever.
const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * A capped set of places shared by every process through Redis (a sorted set scored by the
 * time each place was taken): `claim` takes one under `key` unless `cap` are held, `release`
 * gives it back.
 */
export function cappedPlaces(redis: Redis | Cluster, horizonMs: number) {
  const claim = defineScript(redis, "llmChatClaimPlace", CLAIM);
  return {
    async claim(key: string, cap: number, member: string): Promise<boolean> {
      return (await claim(key, Date.now(), horizonMs, cap, member)) === 1;
    },
    async release(key: string, member: string): Promise<void> {
      await redis.zrem(key, member);
    },
  };
}

export type CappedPlaces = ReturnType<typeof cappedPlaces>;
