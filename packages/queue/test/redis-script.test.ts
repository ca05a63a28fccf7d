import { randomBytes } from "node:crypto";
import { testRedisUrl } from "@llm-chat/testkit";
import { type Command, Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { defineScript } from "../src/index.js";

const INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

describe("defineScript", () => {
  const redis = new Redis(testRedisUrl());
  const key = `test-${randomBytes(5).toString("hex")}:script`;
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it("runs a script by its SHA, sending the body at most once", async () => {
    // Connected first: a command queued while connecting passes sendCommand twice.
    await redis.ping();
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command: Command, ...rest) => {
      sent.push(command.name);
      return send(command, ...rest);
    };
    const incrBy = defineScript(redis, "llmChatTestIncrBy", INCR_BY);
    const results = [await incrBy(key, 2), await incrBy(key, 3), await incrBy(key, 5)];
    redis.sendCommand = send;
    expect(results).toEqual([2, 5, 10]);
    expect(sent.filter((name) => name === "evalsha")).toHaveLength(3);
    expect(sent.filter((name) => name === "eval").length).toBeLessThanOrEqual(1);
  });

  it("gives the same script under the same name again, and refuses another script under it", async () => {
    const again = defineScript(redis, "llmChatTestIncrBy", INCR_BY);
    expect(await again(key, 1)).toBe(11);
    expect(() => defineScript(redis, "llmChatTestIncrBy", "return 0")).toThrow(/already named llmChatTestIncrBy/);
  });
});
