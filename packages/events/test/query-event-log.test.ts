import { eventually, type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
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

  it("only accepts stream ids as resume points", () => {
    expect(isEventId("1700000000000-0")).toBe(true);
    expect(isEventId("abc")).toBe(false);
    expect(isEventId(undefined)).toBe(false);
  });
});
