import { emptyQueryMetrics } from "@llm-chat/contracts";
import type { QueryDoc } from "@llm-chat/store";
import { type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLiveQueries, type LiveQueries } from "../src/index.js";

describe("the live state of a query", () => {
  let isolation: Isolation;
  let redis: Redis;
  let live: LiveQueries;

  beforeAll(() => {
    isolation = isolate();
    redis = new Redis(testRedisUrl());
    live = createLiveQueries(redis, { keyPrefix: isolation.queuePrefix, openTtlSeconds: 600, finalTtlSeconds: 60 });
  });
  afterAll(async () => {
    redis.disconnect();
    await isolation.cleanup();
  });

  const doc = (id: string): QueryDoc => ({
    _id: id,
    userId: "usr_a",
    conversationId: "conv_a",
    seq: 0,
    model: "llama2",
    prompt: "hi",
    params: {},
    status: "queued",
    output: null,
    error: null,
    attempts: 0,
    createdAt: new Date(1_700_000_000_000),
    startedAt: null,
    finishedAt: null,
    metrics: { ...emptyQueryMetrics },
    webhook: null,
  });

  async function created(id: string): Promise<void> {
    const tx = redis.multi();
    live.create(tx, doc(id));
    await tx.exec();
  }

  it("keeps what a Responses create said through creation and adoption, and nothing for other queries", async () => {
    const responses = { background: true, instructions: "Be brief.", previousResponseId: "qry_before" };
    const tx = redis.multi();
    live.create(tx, { ...doc("qry_echo"), responses });
    await tx.exec();
    expect((await live.get("qry_echo"))?.doc.responses).toEqual(responses);
    await live.adopt({ ...doc("qry_echo_adopted"), responses });
    expect((await live.get("qry_echo_adopted"))?.doc.responses).toEqual(responses);
    await created("qry_plain");
    expect((await live.get("qry_plain"))?.doc).not.toHaveProperty("responses");
  });

  it("starts an attempt: running, the start time and one attempt more, with the state's TTL restarted", async () => {
    await created("qry_start");
    await redis.expire(live.key("qry_start"), 5);
    const first = await live.start("qry_start", new Date(1_700_000_001_000));
    expect(first?.status).toBe("running");
    expect(first?.doc.status).toBe("running");
    expect(first?.doc.attempts).toBe(1);
    expect(first?.doc.startedAt).toEqual(new Date(1_700_000_001_000));
    expect(first?.doc.prompt).toBe("hi");
    expect(await redis.ttl(live.key("qry_start"))).toBeGreaterThan(500);
    expect(await redis.hgetall(live.key("qry_start"))).toMatchObject({ s: "running", a: "1", st: "1700000001000" });
  });

  it("keeps the first start time when a crashed attempt's query starts again, and counts the attempt", async () => {
    const again = await live.start("qry_start", new Date(1_700_000_009_000));
    expect(again?.doc.attempts).toBe(2);
    expect(again?.doc.startedAt).toEqual(new Date(1_700_000_001_000));
    expect(await live.get("qry_start")).toEqual(again);
  });

  it("leaves a query that has ended as it is, and answers null for one Redis does not hold", async () => {
    await created("qry_ended");
    const outcome = {
      status: "canceled" as const,
      output: null,
      error: null,
      metrics: null,
      finishedAt: new Date(1_700_000_002_000),
    };
    expect(await live.decide("qry_ended", outcome)).toBe("decided");
    const before = await redis.hgetall(live.key("qry_ended"));
    const answer = await live.start("qry_ended", new Date());
    expect(answer?.status).toBe("canceled");
    expect(answer?.doc.attempts).toBe(0);
    expect(await redis.hgetall(live.key("qry_ended"))).toEqual(before);
    expect(await live.start("qry_missing", new Date())).toBeNull();
  });
});
