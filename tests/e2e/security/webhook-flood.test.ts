import type { Delivery, Page, Query } from "@llm-chat/contracts";
import { eventually, testRedisUrl, withMongo } from "@llm-chat/testkit";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "../support/client.js";
import { startReceiver } from "../support/receiver.js";
import { type System, startSystem } from "../support/system.js";

const HOUR_MS = 3600 * 1000;

const POLL = { timeoutMs: 30_000, intervalMs: 100 };

describe("attack: fill Redis through webhook deliveries", () => {
  let system: System;
  let redis: Redis;
  let queue: Queue;
  // A receiver that is never ready and asks for a wait of 31 years.
  let stalling: Awaited<ReturnType<typeof startReceiver>>;
  let healthy: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stalling = await startReceiver(() => ({ status: 503, headers: { "retry-after": "999999999" } }));
    healthy = await startReceiver(() => 204);
    // 60 ms a token: an answer streams for a couple of seconds, several `output` webhooks' worth.
    system = await startSystem({
      standIn: { latencyMs: 50, tokenDelayMs: 60 },
      env: {
        WEBHOOK_ALLOW_PRIVATE_URLS: "true",
        WEBHOOK_MAX_PENDING_PER_USER: "4",
        WEBHOOK_MAX_PENDING_PER_URL: "6",
      },
    });
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue("webhook", { connection: redis, prefix: system.isolation.queuePrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await system?.stop();
    await stalling?.close();
    await healthy?.close();
  });

  const submit = async (key: string, url: string, events: string[], prompt = "hello") => {
    const res = await call<Query>(system.api.url, "/v1/queries", {
      key,
      json: { prompt, webhook: { url, events } },
    });
    expect(res.status).toBe(202);
    return res.body.id;
  };
  const deliveries = async (key: string, id: string) =>
    (await call<Page<Delivery>>(system.api.url, `/v1/queries/${id}/deliveries`, { key })).body.data;
  /** Waits until every query has a first delivery record (an attempt, or a refusal). */
  const settled = (key: string, ids: string[]) =>
    eventually(
      "a first delivery record of every query",
      async () => {
        const all = await Promise.all(ids.map((id) => deliveries(key, id)));
        return all.every((d) => d.length > 0) ? all.flat() : undefined;
      },
      POLL,
    );

  it("keeps one output delivery per query with the latest output, and waits at most an hour for a Retry-After", async () => {
    const { key } = await register(system.api.url);
    const prompt = "stream a long answer so that many output webhooks would be due while it runs";
    const id = await submit(key, stalling.url, ["start", "output", "completed"], prompt);
    const done = await waitForQuery(system.api.url, key, id);
    expect(done.status).toBe("succeeded");

    const events = await withMongo(system.isolation.mongoUrl, (client) =>
      client
        .db()
        .collection<{ _id: string; type: string; payload: string }>("webhook_events")
        .find({ queryId: id })
        .toArray(),
    );
    // Every event was tried once, and each is now parked until its retry.
    const parked = await eventually(
      "every delivery parked for a retry",
      async () => {
        const scores = await Promise.all(
          events.map((e) => redis.zscore(`${system.isolation.queuePrefix}:webhook:delayed`, e._id)),
        );
        return scores.every((s) => s !== null) ? scores.map(Number) : undefined;
      },
      POLL,
    );

    const outputs = events.filter((e) => e.type === "output");
    expect(outputs).toHaveLength(1);
    // Later outputs replaced the waiting one's payload: it now holds more of the answer than
    // the receiver was sent on the first attempt (the latest output wins).
    const waiting: string = JSON.parse(outputs[0]?.payload ?? "{}").data.output;
    const firstSent = stalling.received.find((r) => r.headers["webhook-id"] === outputs[0]?._id);
    const sentThen: string = JSON.parse(firstSent?.body ?? "{}").data.output;
    expect(done.output?.startsWith(waiting)).toBe(true);
    expect(waiting.startsWith(sentThen)).toBe(true);
    expect(waiting.length).toBeGreaterThan(sentThen.length);
    expect(events.map((e) => e.type).sort()).toEqual(["completed", "output", "start"]);

    // BullMQ's delayed score is the due time in ms times 4096.
    for (const score of parked) expect(Math.floor(score / 4096) - Date.now()).toBeLessThanOrEqual(HOUR_MS);
    // And failed delivery jobs are kept by count, not only by age.
    const job = await queue.getJob(events[0]?._id ?? "");
    expect(job?.opts.removeOnFail).toMatchObject({ count: 1000 });
  });

  it("refuses deliveries past the per-user cap, and records the refusal", async () => {
    const { key } = await register(system.api.url);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await submit(key, `${stalling.url}?user-cap=${i}`, ["completed"]));
    const all = await settled(key, ids);
    const refused = all.filter((d) => d.attempt === 0);
    expect(refused).toHaveLength(2);
    for (const d of refused) expect(d.error).toMatch(/user already has 4 webhook deliveries waiting/);
    expect(all.filter((d) => d.attempt === 1)).toHaveLength(4);
  });

  it("refuses deliveries past the per-URL cap, whoever sends them", async () => {
    const shared = `${stalling.url}?url-cap`;
    const sent: { key: string; id: string }[] = [];
    for (let u = 0; u < 4; u++) {
      const { key } = await register(system.api.url);
      for (let i = 0; i < 2; i++) sent.push({ key, id: await submit(key, shared, ["completed"]) });
    }
    const all = (await Promise.all(sent.map(({ key, id }) => settled(key, [id])))).flat();
    const refused = all.filter((d) => d.attempt === 0);
    expect(refused).toHaveLength(2);
    for (const d of refused) expect(d.error).toMatch(/URL already has 6 webhook deliveries waiting/);
  });

  it("frees a place once a delivery is over, so a healthy receiver is never capped", async () => {
    const { key } = await register(system.api.url);
    for (let i = 0; i < 6; i++) {
      const id = await submit(key, `${healthy.url}?n=${i}`, ["completed"]);
      const [first] = await settled(key, [id]);
      expect(first).toMatchObject({ attempt: 1, error: null });
    }
  });
});
