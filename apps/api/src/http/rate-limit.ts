import type { Request, RequestHandler, Response } from "express";
import type { Cluster, Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { HttpProblem } from "./problem.js";

export interface LimitConfig {
  name: string;
  keyPrefix: string;
  perMinute: number;
}

/**
 * The library's count-and-TTL script, in fewer commands: it runs SET NX EX, INCRBY and
 * PTTL on every consume; this runs INCRBY and then either EXPIRE (the count it returns is
 * the points just consumed: the key is new, its window starts now) or PTTL (an existing
 * window, whose end the headers show). Same answer, {count, ms left}, for every way this
 * app consumes (a key is never at 0 with a TTL of its own: nothing rewards or sets it).
 * Every RateLimiterRedis defines it on the shared client under one name (rlflxIncr), the
 * last one constructed winning, so every limiter of the API must pass this same script.
 */
export const incrTtlScript = `
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
if consumed == tonumber(ARGV[1]) then
  redis.call('expire', KEYS[1], ARGV[2])
  return {consumed, 1000 * tonumber(ARGV[2])}
end
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * tonumber(ARGV[2])
end
return {consumed, ttl}`;

/**
 * A fixed-window limit shared by every API process through Redis. Should Redis be away, an
 * in-process limiter of the same size stands in, so limits hold (per process) rather than
 * vanish or fail every request.
 */
export function createLimiter(redis: Redis | Cluster, config: LimitConfig) {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.keyPrefix}:rl:${config.name}`,
    points: config.perMinute,
    duration: 60,
    customIncrTtlLuaScript: incrTtlScript,
    insuranceLimiter: new RateLimiterMemory({ points: config.perMinute, duration: 60 }),
  });
}

function setHeaders(res: Response, limit: number, result: RateLimiterRes): void {
  res.set({
    "RateLimit-Limit": String(limit),
    "RateLimit-Remaining": String(Math.max(0, result.remainingPoints)),
    "RateLimit-Reset": String(Math.ceil(result.msBeforeNext / 1000)),
  });
}

/** Consumes one point per request under the key `keyOf` gives; 429 with Retry-After past the limit. */
export function limitBy(limiter: RateLimiterRedis, keyOf: (req: Request) => string): RequestHandler {
  return async (req, res, next) => {
    try {
      setHeaders(res, limiter.points, await limiter.consume(keyOf(req)));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      setHeaders(res, limiter.points, error);
      const retryAfter = String(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      throw new HttpProblem(429, "Too many requests", `rate limit of ${limiter.points} a minute reached`, undefined, {
        "Retry-After": retryAfter,
      });
    }
    next();
  };
}
