import { createRedis, type RedisClient } from "@llm-chat/queue";
import { type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryLedger, type QueryLedger } from "../src/index.js";

describe("the query ledger", () => {
  let isolation: Isolation;
  let redis: RedisClient;
  let ledger: QueryLedger;

  beforeAll(() => {
    isolation = isolate();
    redis = createRedis(testRedisUrl(), "worker");
    ledger = createQueryLedger(redis, { keyPrefix: isolation.queuePrefix, ttlSeconds: 60 });
  });
  afterAll(async () => {
    await isolation.cleanup();
    redis.disconnect();
  });

  it("numbers a conversation's queries 0, 1, 2… even when they are submitted at the same time", async () => {
    expect(await ledger.startConversation("conv_a")).toBe(0);
    const numbers = await Promise.all(
      Array.from({ length: 20 }, () => ledger.nextSeq("conv_a", () => Promise.reject(new Error("not asked")))),
    );
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("continues after what MongoDB holds when Redis has no counter for the conversation", async () => {
    let asked = 0;
    const lastInStore = async () => {
      asked++;
      return 41;
    };
    const numbers = await Promise.all([1, 2, 3].map(() => ledger.nextSeq("conv_b", lastInStore)));
    expect(numbers.sort((a, b) => a - b)).toEqual([42, 43, 44]);
    expect(asked).toBeGreaterThanOrEqual(1);
    await ledger.raiseSeq("conv_b", 10); // never lowers the counter
    expect(await ledger.nextSeq("conv_b", lastInStore)).toBe(45);
    await ledger.raiseSeq("conv_b", 99);
    expect(await ledger.nextSeq("conv_b", lastInStore)).toBe(100);
  });

  it("numbers the first query of a conversation that has none in MongoDB 0", async () => {
    const numbers = await Promise.all([1, 2].map(() => ledger.nextSeq("conv_empty", async () => -1)));
    expect(numbers.sort((a, b) => a - b)).toEqual([0, 1]);
  });

  it("gives a user at most `cap` open places, and a freed place can be taken again", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.reserve("usr_cap", `qry_${i}`, 3)));
    expect(results.filter(Boolean)).toHaveLength(3);
    const holders = await ledger.openOf("usr_cap");
    expect(holders).toHaveLength(3);
    expect(await ledger.reserve("usr_cap", "qry_late", 3)).toBe(false);
    expect(await ledger.reserve("usr_cap", holders[0] ?? "", 3)).toBe(true); // a holder asking again keeps its place
    await ledger.release("usr_cap", holders[0] ?? "");
    expect(await ledger.reserve("usr_cap", "qry_late", 3)).toBe(true);
  });

  it("keeps a holder's place and its turn in line when it asks again below the cap", async () => {
    expect(await ledger.reserve("usr_again", "qry_first", 5)).toBe(true);
    expect(await ledger.reserve("usr_again", "qry_second", 5)).toBe(true);
    const key = `${isolation.queuePrefix}:ledger:open:usr_again`;
    const before = await redis.zscore(key, "qry_first");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await ledger.reserve("usr_again", "qry_first", 5)).toBe(true);
    expect(await redis.zscore(key, "qry_first")).toBe(before);
    expect(await ledger.openOf("usr_again")).toEqual(["qry_first", "qry_second"]);
    expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it("lines a conversation's queries up by number", async () => {
    await ledger.enter("qry_2", { conversationId: "conv_c", seq: 2 });
    await ledger.enter("qry_0", { conversationId: "conv_c", seq: 0 });
    await ledger.enter("qry_5", { conversationId: "conv_c", seq: 5 });
    expect(await ledger.firstBefore({ conversationId: "conv_c", seq: 0 })).toBeNull();
    expect(await ledger.firstBefore({ conversationId: "conv_c", seq: 5 })).toBe("qry_0");
    expect(await ledger.firstAfter({ conversationId: "conv_c", seq: 0 })).toBe("qry_2");
    await ledger.release("usr_x", "qry_0", "conv_c");
    expect(await ledger.firstBefore({ conversationId: "conv_c", seq: 5 })).toBe("qry_2");
    await ledger.dropConversation("conv_c");
    expect(await ledger.firstAfter({ conversationId: "conv_c", seq: -1 })).toBeNull();
  });
});
