import { commandsSentBy, type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import type { Request, Response } from "express";
import { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthFailures } from "../src/http/auth-failures.js";
import { HttpProblem } from "../src/http/problem.js";
import { createLimiter } from "../src/http/rate-limit.js";

describe("the Redis-backed limits of the API", () => {
  let isolation: Isolation;
  let redis: Redis;

  beforeAll(() => {
    isolation = isolate();
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await isolation.cleanup();
  });

  it("counts a request in one command, starts the window on the first and refuses past the limit", async () => {
    const limiter = createLimiter(redis, { name: "t1", keyPrefix: isolation.queuePrefix, perMinute: 2 });
    let first: RateLimiterRes | undefined;
    expect(
      await commandsSentBy(redis, async () => {
        first = await limiter.consume("usr_a");
      }),
    ).toEqual(["evalsha"]);
    expect(first?.remainingPoints).toBe(1);
    expect(first?.msBeforeNext).toBe(60_000);
    const key = `${isolation.queuePrefix}:rl:t1:usr_a`;
    expect(await redis.ttl(key)).toBeGreaterThan(55);
    const second = await limiter.consume("usr_a");
    expect(second.remainingPoints).toBe(0);
    expect(second.msBeforeNext).toBeGreaterThan(55_000);
    expect(second.msBeforeNext).toBeLessThanOrEqual(60_000);
    const refused = await limiter.consume("usr_a").then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(55_000);
    // Another key has a window of its own.
    expect((await limiter.consume("usr_b")).remainingPoints).toBe(1);
  });

  it("gives a window that lost its TTL one again", async () => {
    const limiter = createLimiter(redis, { name: "t2", keyPrefix: isolation.queuePrefix, perMinute: 5 });
    const key = `${isolation.queuePrefix}:rl:t2:usr_c`;
    await redis.set(key, 2);
    const res = await limiter.consume("usr_c");
    expect(res.consumedPoints).toBe(3);
    expect(res.msBeforeNext).toBe(60_000);
    expect(await redis.ttl(key)).toBeGreaterThan(55);
  });

  it("checks a client's failed authentications with one GET, and refuses it with Retry-After once spent", async () => {
    const failures = createAuthFailures(redis, {
      keyPrefix: isolation.queuePrefix,
      perIp: 2,
      perEmail: 2,
      windowSeconds: 60,
    });
    const req = { ip: "203.0.113.9" } as Request;
    const res = {} as Response;
    const next = () => undefined;
    const ok = failures.guard(async () => undefined);
    const bad = failures.guard(async () => {
      throw new HttpProblem(401, "Unauthorized", "bad key");
    });
    expect(await commandsSentBy(redis, () => Promise.resolve(ok(req, res, next)))).toEqual(["get"]);
    for (let i = 0; i < 2; i++)
      await expect(Promise.resolve(bad(req, res, next))).rejects.toMatchObject({ status: 401 });
    const refused = await Promise.resolve(ok(req, res, next)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HttpProblem);
    expect((refused as HttpProblem).status).toBe(429);
    expect(Number((refused as HttpProblem).headers["Retry-After"])).toBeGreaterThan(55);
  });
});
