import type { RequestHandler } from "express";
import type { Cluster, Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { clientKey } from "./client-address.js";
import { HttpProblem } from "./problem.js";
import { incrTtlScript } from "./rate-limit.js";

export interface AuthFailureConfig {
  keyPrefix: string;
  /** Failed authentications (bad key, token, password, refresh token) one client may have per window. */
  perIp: number;
  /** Failed logins one email may have per window, from anywhere. */
  perEmail: number;
  windowSeconds: number;
}

function counter(redis: Redis | Cluster, prefix: string, points: number, duration: number) {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: prefix,
    points,
    duration,
    // The API's limiters share one script name on the client: all must pass the same one.
    customIncrTtlLuaScript: incrTtlScript,
    // Redis away: counted per process instead, never not at all.
    insuranceLimiter: new RateLimiterMemory({ points, duration }),
  });
}

/**
 * Counts failed authentications per client (an IPv6 client by its /64) and failed logins
 * per email. Past either limit every attempt is refused with 429 before any credential is
 * checked, right ones included, until the window ends: otherwise guessing would go on at
 * full speed and only the right guess would tell itself apart.
 */
export function createAuthFailures(redis: Redis | Cluster, config: AuthFailureConfig) {
  const byIp = counter(redis, `${config.keyPrefix}:rl:authfail:ip`, config.perIp, config.windowSeconds);
  const byEmail = counter(redis, `${config.keyPrefix}:rl:authfail:email`, config.perEmail, config.windowSeconds);

  async function refuseIfSpent(limiter: RateLimiterRedis, key: string, what: string) {
    // Every authenticated request passes here: one GET of the count (the limiter's own
    // get is MULTI/GET/PTTL/EXEC). Only a client at its limit needs the window's end, for
    // Retry-After, and so the limiter's get; so does any error (Redis away), which the
    // limiter answers from its in-process insurance as before.
    const counted = await redis.get(limiter.getKey(key)).then(
      (raw) => (raw === null ? 0 : Number(raw)),
      () => Number.NaN,
    );
    if (counted < limiter.points) return;
    const res = await limiter.get(key);
    if (!res || res.consumedPoints < limiter.points) return;
    throw new HttpProblem(
      429,
      "Too many requests",
      `too many failed authentications ${what}; try again later`,
      undefined,
      { "Retry-After": String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))) },
    );
  }

  // Over the limit, consume() rejects with the limiter's result: the count is what matters.
  const count = (limiter: RateLimiterRedis, key: string) =>
    limiter.consume(key).then(
      () => undefined,
      () => undefined,
    );

  const isAuthFailure = (error: unknown) => error instanceof HttpProblem && error.status === 401;

  return {
    /**
     * Wraps an authenticating handler: a client over its limit gets 429 without a check, and
     * each 401 the handler answers counts against the client.
     */
    guard(handler: RequestHandler): RequestHandler {
      return async (req, res, next) => {
        const ip = clientKey(req.ip);
        await refuseIfSpent(byIp, ip, "from this address");
        try {
          await handler(req, res, next);
        } catch (error) {
          if (isAuthFailure(error)) await count(byIp, ip);
          throw error;
        }
      };
    },

    /** Logins: the email's own limit besides the client's; a success clears the email's count. */
    async login<T>(email: string, attempt: () => Promise<T>): Promise<T> {
      await refuseIfSpent(byEmail, email, "for this account");
      try {
        const result = await attempt();
        await byEmail.delete(email).catch(() => undefined);
        return result;
      } catch (error) {
        if (isAuthFailure(error)) await count(byEmail, email);
        throw error;
      }
    },
  };
}

export type AuthFailures = ReturnType<typeof createAuthFailures>;
