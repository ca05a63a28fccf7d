import { commandsSentBy, eventually, type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventHub, createQueryEventLog, isEventId, type QueryEventLog } from "../src/index.js";

describe("the query event log", () => {
  let isolation: Isolation;
  let redis: Redis;
  let subscriber: Redis;
  let log: QueryEventLog;

  beforeAll(() => {
    isolation = isolate();
    redis = new Redis(testRedisUrl());
    subscriber = new Redis(testRedisUrl());
    log = createQueryEventLog(redis, { keyPrefix: isolation.queuePrefix, ttlSeconds: 60 });
  });
  afterAll(async () => {
    redis.disconnect();
    subscriber.disconnect();
    await isolation.cleanup();
  });

  it("replays events in order and resumes after a given id", async () => {
    await log.append("qry_a", { type: "status", status: "running" }, { type: "output", delta: "Hel" });
    await log.append("qry_a", { type: "output", delta: "lo" });
    const all = await log.readAfter("qry_a", null);
    expect(all.map((e) => e.event)).toEqual([
      { type: "status", status: "running" },
      { type: "output", delta: "Hel" },
      { type: "output", delta: "lo" },
    ]);
    expect(all.every((e) => isEventId(e.id))).toBe(true);
    const rest = await log.readAfter("qry_a", all[0]?.id ?? null);
    expect(rest.map((e) => e.event)).toEqual(all.slice(1).map((e) => e.event));
    expect(await redis.ttl(`${isolation.queuePrefix}:events:qry_a`)).toBeGreaterThan(0);
  });

  it("tells subscribers of a query, and only them, that events arrived", async () => {
    const hub = await createEventHub(subscriber, log.channel);
    const seen: string[] = [];
    const stopA = hub.listen("qry_b", () => seen.push("b"));
    hub.listen("qry_c", () => seen.push("c"));
    await log.append("qry_b", { type: "status", status: "queued" });
    await eventually("a subscriber to be told", () => seen.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    expect(seen).toEqual(["b"]);
    stopA();
    expect(hub.size).toBe(1);
  });

  it("appends, expires and announces in one command, even a batch of events", async () => {
    const hub = await createEventHub(subscriber, log.channel);
    let told = 0;
    const stop = hub.listen("qry_one", () => told++);
    const sent = await commandsSentBy(redis, () =>
      log.append("qry_one", { type: "status", status: "running" }, { type: "output", delta: "a" }),
    );
    expect(sent).toHaveLength(1);
    expect(["evalsha", "eval"]).toContain(sent[0]);
    await eventually("the append to be announced", () => told > 0, { timeoutMs: 5000, intervalMs: 10 });
    expect(await redis.ttl(`${isolation.queuePrefix}:events:qry_one`)).toBeGreaterThan(50);
    const again = await commandsSentBy(redis, () => log.append("qry_one", { type: "output", delta: "b" }));
    expect(again).toEqual(["evalsha"]);
    await eventually("the second append to be announced", () => told > 1, { timeoutMs: 5000, intervalMs: 10 });
    stop();
    expect((await log.readAfter("qry_one", null)).map((e) => e.event)).toEqual([
      { type: "status", status: "running" },
      { type: "output", delta: "a" },
      { type: "output", delta: "b" },
    ]);
  });

  it("restarts the TTL on status and done events but not on output deltas", async () => {
    const k = `${isolation.queuePrefix}:events:qry_ttl`;
    await log.append("qry_ttl", { type: "status", status: "running" });
    await redis.expire(k, 30);
    await log.append("qry_ttl", { type: "output", delta: "x" });
    expect(await redis.ttl(k)).toBeLessThanOrEqual(30);
    await log.append(
      "qry_ttl",
      { type: "status", status: "succeeded" },
      {
        type: "done",
        status: "succeeded",
        output: "x",
        error: null,
      },
    );
    expect(await redis.ttl(k)).toBeGreaterThan(50);
  });

  it("gives a stream it has to recreate a TTL, whatever the event (deleted query, Redis flushed)", async () => {
    const k = `${isolation.queuePrefix}:events:qry_gone`;
    await log.append("qry_gone", { type: "status", status: "running" });
    await log.drop("qry_gone");
    await log.append("qry_gone", { type: "output", delta: "late" });
    expect(await redis.ttl(k)).toBeGreaterThan(50);
    expect((await log.readAfter("qry_gone", null)).map((e) => e.event)).toEqual([{ type: "output", delta: "late" }]);
  });

  it("resumes after a Last-Event-ID with the events appended since, in order", async () => {
    await log.append("qry_resume", { type: "status", status: "running" });
    const [seen] = await log.readAfter("qry_resume", null);
    for (const delta of ["1", "2", "3"]) await log.append("qry_resume", { type: "output", delta });
    const rest = await log.readAfter("qry_resume", seen?.id ?? null);
    expect(rest.map((e) => e.event)).toEqual(["1", "2", "3"].map((delta) => ({ type: "output", delta })));
    const ids = rest.map((e) => e.id);
    expect(ids.every(isEventId)).toBe(true);
    expect(new Set(ids).size).toBe(3);
  });

  it("only accepts stream ids as resume points", () => {
    expect(isEventId("1700000000000-0")).toBe(true);
    expect(isEventId("abc")).toBe(false);
    expect(isEventId(undefined)).toBe(false);
  });
});
