import { Redis, type RedisOptions } from "ioredis";

export type RedisRole = "producer" | "worker" | "client";

/**
 * Workers block on Redis and must wait out outages (maxRetriesPerRequest: null, as BullMQ
 * requires). The API must not: with the offline queue off, a call fails at once while
 * Redis is down, and the request answers 503 instead of hanging.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  return new Redis(url, {
    ...base,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 3000),
    ...extra,
  });
}
