import type { Cluster, Redis } from "ioredis";
import { RateLimiterQueue, RateLimiterRedis } from "rate-limiter-flexible";

export interface ProviderRateLimitConfig {
  keyPrefix: string;
  provider: string;
  points: number;
  windowSeconds: number;
}

/**
 * A request budget per provider shared by every worker through Redis (Replicate allows
 * 600 prediction creates a minute). A call over budget waits its turn in a local queue
 * instead of being sent and refused, so workers queue rather than hammer.
 */
export function createProviderRateLimit(redis: Redis | Cluster, config: ProviderRateLimitConfig) {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.keyPrefix}:provider-rl`,
    points: config.points,
    duration: config.windowSeconds,
  });
  const queue = new RateLimiterQueue(limiter, { maxQueueSize: 100_000 });
  return {
    /** Resolves when one request may go out. */
    async take(): Promise<void> {
      await queue.removeTokens(1, config.provider);
    },
  };
}

export type ProviderRateLimit = ReturnType<typeof createProviderRateLimit>;
