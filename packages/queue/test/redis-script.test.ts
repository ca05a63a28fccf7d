import { randomBytes } from "node:crypto";
import { commandsSentBy, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { defineDeleteIfEquals, defineScript } from "../src/index.js";

const INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

describe("defineScript", () => {
  const redis = new Redis(testRedisUrl());
  const key = `test-${randomBytes(5).toString("hex")}:script`;
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it("runs a script by its SHA, sending the body at most once", async () => {
    const incrBy = defineScript(redis, "llmChatTestIncrBy", INCR_BY);
    const results: unknown[] = [];
    const sent = await commandsSentBy(redis, async () => {
      for (const by of [2, 3, 5]) results.push(await incrBy(key, by));
    });
    expect(results).toEqual([2, 5, 10]);
    expect(sent.filter((name) => name === "evalsha")).toHaveLength(3);
    expect(sent.filter((name) => name === "eval").length).toBeLessThanOrEqual(1);
  });

  it("gives the same script under the same name again, and refuses another script under it", async () => {
    const again = defineScript(redis, "llmChatTestIncrBy", INCR_BY);
    expect(await again(key, 1)).toBe(11);
    expect(() => defineScript(redis, "llmChatTestIncrBy", "return 0")).toThrow(/already named llmChatTestIncrBy/);
  });

  it("deletes a key only while it holds the given value", async () => {
    const marker = `${key}:marker`;
    const deleteIfEquals = defineDeleteIfEquals(redis);
    await redis.set(marker, "taken-over");
    expect(await deleteIfEquals(marker, "mine")).toBe(0);
    expect(await redis.get(marker)).toBe("taken-over");
    expect(await deleteIfEquals(marker, "taken-over")).toBe(1);
    expect(await redis.exists(marker)).toBe(0);
  });
});
