import { openStore, type QueryDoc, type Store } from "@llm-chat/store";
import { commandsSentBy, type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHotHistory, type HotHistory } from "../src/index.js";

describe("the hot history", () => {
  let isolation: Isolation;
  let store: Store;
  let redis: Redis;
  let history: HotHistory;

  beforeAll(async () => {
    isolation = isolate();
    store = await openStore(isolation.mongoUrl, "history-test");
    redis = new Redis(testRedisUrl());
    history = createHotHistory(redis, store.messages, {
      keyPrefix: isolation.queuePrefix,
      maxTurns: 3,
      ttlSeconds: 60,
    });
  });
  afterAll(async () => {
    redis.disconnect();
    await store.close();
    await isolation.cleanup();
  });

  const key = (conversationId: string) => `${isolation.queuePrefix}:history:${conversationId}`;

  const turn = (seq: number) => ({ seq, user: `q${seq}`, assistant: `a${seq}`, userTokens: 10, assistantTokens: 10 });

  const record = async (conversationId: string, seq: number): Promise<void> => {
    const query: QueryDoc = {
      ...store.queries.build({
        userId: "usr_x",
        conversationId,
        seq,
        model: "llama2",
        prompt: `q${seq}`,
        params: {},
        webhook: null,
      }),
    };
    await store.messages.insertExchanges(
      store.messages.exchange(query, 10, { content: `a${seq}`, tokens: 10 }, new Date()),
    );
    await history.append(conversationId, turn(seq));
  };

  it("keeps one copy of a turn however often it is appended", async () => {
    await record("conv_a", 0);
    await history.append("conv_a", turn(0));
    await history.append("conv_a", turn(0));
    expect(await redis.zcard(key("conv_a"))).toBe(1);
    const { turns, source } = await history.load("conv_a", 1);
    expect(source).toBe("redis");
    expect(turns).toEqual([turn(0)]);
  });

  it("keeps only the newest turns a prompt can use, with a TTL", async () => {
    for (let seq = 0; seq < 5; seq++) await record("conv_b", seq);
    const { turns } = await history.load("conv_b", 5);
    expect(turns.map((t) => t.seq)).toEqual([2, 3, 4]);
    const ttl = await redis.ttl(key("conv_b"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("writes a turn, its cap and its TTL in one command", async () => {
    const sent = await commandsSentBy(redis, () => history.append("conv_one", turn(7)));
    expect(sent).toEqual(["evalsha"]);
    expect(await redis.zrange(key("conv_one"), 0, -1)).toEqual([JSON.stringify(turn(7))]);
    expect(await redis.ttl(key("conv_one"))).toBeGreaterThan(0);
  });

  it("only returns turns before the asking query", async () => {
    const { turns } = await history.load("conv_b", 3);
    expect(turns.map((t) => t.seq)).toEqual([2]);
  });

  it("asks neither store for the turns before a conversation's first query", async () => {
    const first = await history.load("conv_never_written", 0);
    expect(first).toEqual({ turns: [], source: "none" });
    expect(await redis.exists(key("conv_never_written"))).toBe(0);
  });

  it("rebuilds a lost history from MongoDB", async () => {
    for (let seq = 0; seq < 4; seq++) await record("conv_c", seq);
    await redis.del(key("conv_c"));
    const rebuilt = await history.load("conv_c", 4);
    expect(rebuilt.source).toBe("mongo");
    expect(rebuilt.turns.map((t) => [t.user, t.assistant])).toEqual([
      ["q1", "a1"],
      ["q2", "a2"],
      ["q3", "a3"],
    ]);
    expect(await redis.zcard(key("conv_c"))).toBe(3);
    expect((await history.load("conv_c", 4)).source).toBe("redis");
  });

  it("keeps no more turns than the token cap can use", async () => {
    for (let seq = 0; seq < 3; seq++) await record("conv_d", seq);
    // Each turn is 20 tokens: a cap of 30 keeps the newest turn and the one that crosses it.
    await history.append("conv_d", turn(3), 30);
    const { turns } = await history.load("conv_d", 4);
    expect(turns.map((t) => t.seq)).toEqual([2, 3]);
  });

  it("takes back a single turn", async () => {
    await history.remove("conv_d", 3);
    expect((await history.load("conv_d", 4)).turns.map((t) => t.seq)).toEqual([2]);
  });

  it("forgets a conversation when asked", async () => {
    await history.drop("conv_c");
    expect(await redis.exists(key("conv_c"))).toBe(0);
  });
});
