import { createQueryEmitter, createQueryEventLog, createWebhookGate } from "@llm-chat/events";
import { createProducer } from "@llm-chat/queue";
import { openStore, type QueryDoc, type Store } from "@llm-chat/store";
import { type Isolation, isolate, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHotHistory,
  createLiveQueries,
  createQueryLedger,
  type QueryLifecycle,
  wireQueryLifecycle,
} from "../src/index.js";

describe("the query lifecycle", () => {
  let isolation: Isolation;
  let store: Store;
  let redis: Redis;
  let lifecycle: QueryLifecycle;
  let parts: Parameters<typeof wireQueryLifecycle>[0];
  const commands: string[] = [];

  beforeAll(async () => {
    isolation = isolate();
    // Every command reported: the group commit is checked by counting them.
    store = await openStore(isolation.mongoUrl, "lifecycle-test", {
      slowCommandMs: 0,
      onSlowCommand: (c) => commands.push(`${c.command}:${c.collection}`),
    });
    redis = new Redis(testRedisUrl());
    const logger = pino({ level: "silent" });
    const keyPrefix = isolation.queuePrefix;
    const producer = createProducer(redis, keyPrefix, { queryAttempts: 3, queryBackoffMs: 100 });
    const events = createQueryEventLog(redis, { keyPrefix, ttlSeconds: 60 });
    const ledger = createQueryLedger(redis, { keyPrefix });
    const webhooks = createWebhookGate(redis, store, producer, logger, {
      keyPrefix,
      maxPendingPerUser: 100,
      maxPendingPerUrl: 100,
    });
    const emitter = createQueryEmitter(store, events, producer, logger, {
      webhooks,
      outputFlushMs: 10,
      webhookOutputMs: 500,
    });
    const history = createHotHistory(redis, store.messages, { keyPrefix, maxTurns: 10, ttlSeconds: 60 });
    parts = { store, redis, keyPrefix, ledger, events, producer, emitter, history, logger, tokenCap: () => 4096 };
    lifecycle = wireQueryLifecycle(parts).lifecycle;
  });
  afterAll(async () => {
    await parts.producer.close();
    redis.disconnect();
    await store.close();
    await isolation.cleanup();
  });

  const userId = "usr_01HZZZZZZZZZZZZZZZZZZZZZZZ";
  let conversations = 0;

  /** Accepts a query that starts a new conversation (or joins `conversationId` at `seq`). */
  async function accepted(join?: { conversationId: string; seq: number }): Promise<QueryDoc> {
    const conversation = join ? null : store.conversations.build({ userId, model: "llama2" });
    const conversationId = join?.conversationId ?? conversation?._id ?? "";
    const query = store.queries.build({
      userId,
      conversationId,
      seq: join?.seq ?? 0,
      model: "llama2",
      prompt: `prompt ${++conversations}`,
      params: {},
      webhook: null,
    });
    await parts.ledger.reserve(userId, query._id, 1000);
    await lifecycle.accept({ query, conversation });
    return query;
  }

  async function running(query: QueryDoc): Promise<QueryDoc> {
    const begun = await lifecycle.begin(query._id, new Date());
    if (begun.kind !== "running") throw new Error(`expected running, got ${begun.kind}`);
    return begun.query;
  }

  const answer = { output: "the answer", promptTokens: 3, answerTokens: 2, metrics: null };
  const doneEvents = async (id: string) =>
    (await parts.events.readAfter(id, null)).filter(({ event }) => event.type === "done");

  it("stores concurrent submits with one insert per collection and one job each", async () => {
    commands.length = 0;
    const queries = await Promise.all(Array.from({ length: 40 }, () => accepted()));
    const inserts = commands.filter((c) => c === "insert:queries" || c === "insert:conversations");
    expect(inserts.length).toBeLessThanOrEqual(4);
    const stored = await Promise.all(queries.map((q) => store.queries.findById(q._id)));
    expect(stored.every((doc) => doc?.status === "queued")).toBe(true);
    const jobs = await Promise.all(queries.map((q) => parts.producer.queue("query").getJob(q._id)));
    expect(jobs.every((job) => job !== undefined)).toBe(true);
  });

  it("answers a poll of an open query from Redis alone", async () => {
    const query = await accepted();
    commands.length = 0;
    const seen = await lifecycle.read(query._id, userId);
    expect(seen?.status).toBe("queued");
    expect(seen?.prompt).toBe(query.prompt);
    expect(await lifecycle.read(query._id, "usr_someone_else")).toBeNull();
    expect(commands).toEqual([]);
  });

  it("lets exactly one of a finishing worker and a canceling client decide how a query ends", async () => {
    for (let round = 0; round < 5; round++) {
      const query = await running(await accepted());
      const [finished, canceled] = await Promise.all([
        lifecycle.succeed(query, answer),
        lifecycle.cancel(query._id, userId),
      ]);
      const won = [finished.kind === "recorded", canceled.kind === "canceled"].filter(Boolean);
      expect(won).toHaveLength(1);
      const stored = await store.queries.findById(query._id);
      expect(stored?.status).toBe(finished.kind === "recorded" ? "succeeded" : "canceled");
      const messages = await store.messages.listForConversation(query.conversationId);
      expect(messages.length).toBe(finished.kind === "recorded" ? 2 : 0);
      expect(await doneEvents(query._id)).toHaveLength(1);
    }
  });

  it("completes an outcome whose decider died before recording it: record, done event and freed place", async () => {
    const query = await running(await accepted());
    const live = createLiveQueries(redis, { keyPrefix: parts.keyPrefix, openTtlSeconds: 60, finalTtlSeconds: 60 });
    // The worker decided and died before writing anything else.
    await live.decide(query._id, { status: "succeeded", ...answer, error: null, finishedAt: new Date() });
    expect((await lifecycle.read(query._id, userId))?.status).toBe("running");
    expect((await store.queries.findById(query._id))?.status).toBe("queued");

    const retry = await lifecycle.begin(query._id, new Date());
    expect(retry).toEqual({ kind: "ended", status: "succeeded" });
    const stored = await store.queries.findById(query._id);
    expect(stored?.status).toBe("succeeded");
    expect(stored?.output).toBe("the answer");
    expect((await store.messages.listForConversation(query.conversationId)).map((m) => m.role)).toEqual([
      "user",
      "assistant",
    ]);
    expect(await doneEvents(query._id)).toHaveLength(1);
    expect(await parts.ledger.openOf(userId)).not.toContain(query._id);
    expect((await lifecycle.read(query._id, userId))?.status).toBe("succeeded");
  });

  it("completes the announcing of an outcome a decider recorded and died before announcing", async () => {
    const query = await running(await accepted());
    const live = createLiveQueries(redis, { keyPrefix: parts.keyPrefix, openTtlSeconds: 60, finalTtlSeconds: 60 });
    const finishedAt = new Date();
    await live.decide(query._id, { status: "succeeded", ...answer, error: null, finishedAt });
    await store.queries.recordFinal([
      {
        id: query._id,
        record: {
          status: "succeeded",
          output: answer.output,
          error: null,
          finishedAt,
          metrics: query.metrics,
          attempts: 1,
          startedAt: query.startedAt,
        },
      },
    ]);
    await live.recorded(query._id);
    // Recorded, so shown as ended; but nobody has heard of it and its place is still taken.
    expect((await lifecycle.read(query._id, userId))?.status).toBe("succeeded");
    expect(await doneEvents(query._id)).toHaveLength(0);

    expect(await lifecycle.begin(query._id, new Date())).toEqual({ kind: "ended", status: "succeeded" });
    expect(await doneEvents(query._id)).toHaveLength(1);
    expect(await parts.ledger.openOf(userId)).not.toContain(query._id);
    expect((await live.get(query._id))?.unannounced).toBe(false);
  });

  it("shows the outcome to whoever hears its done event, never the status before it", async () => {
    const heard: Array<string | undefined> = [];
    const { lifecycle: watched } = wireQueryLifecycle({
      ...parts,
      emitter: {
        ...parts.emitter,
        finished: async (ended: QueryDoc) => {
          heard.push((await lifecycle.read(ended._id, userId))?.status);
          await parts.emitter.finished(ended);
        },
      },
    });
    const query = await running(await accepted());
    expect((await watched.succeed(query, answer)).kind).toBe("recorded");
    expect(heard).toEqual(["succeeded"]);
  });

  it("rebuilds a live state Redis lost from the record, and the query runs on", async () => {
    const query = await accepted();
    await redis.del(`${parts.keyPrefix}:live:${query._id}`);
    expect((await lifecycle.read(query._id, userId))?.status).toBe("queued");
    const begun = await running(query);
    expect(begun.attempts).toBe(1);
    expect((await lifecycle.succeed(begun, answer)).kind).toBe("recorded");
    expect((await store.queries.findById(query._id))?.status).toBe("succeeded");
  });

  it("keeps the next query of a conversation waiting until the one before it has ended", async () => {
    const first = await accepted();
    const second = await accepted({ conversationId: first.conversationId, seq: 1 });
    expect((await lifecycle.begin(second._id, new Date())).kind).toBe("wait");
    await lifecycle.succeed(await running(first), answer);
    const begun = await running(second);
    expect(begun.seq).toBe(1);
  });

  it("gives the worker the system prompt of the conversation a query starts, and none for a later turn", async () => {
    const first = await accepted();
    const begun = await lifecycle.begin(first._id, new Date());
    expect(begun.kind === "running" && begun.system).toBeNull();
    await lifecycle.succeed(first, answer);
    const second = await accepted({ conversationId: first.conversationId, seq: 1 });
    const next = await lifecycle.begin(second._id, new Date());
    expect(next.kind === "running" && "system" in next).toBe(false);
  });

  it("hands a running query back to the queue, and the next attempt counts it again", async () => {
    const query = await running(await accepted());
    await lifecycle.handBack(query._id);
    expect((await lifecycle.read(query._id, userId))?.status).toBe("queued");
    expect((await running(query)).attempts).toBe(2);
  });

  it("discards the answer of a query deleted while it ran", async () => {
    const query = await running(await accepted());
    await store.queries.deleteForConversation(query.conversationId);
    await lifecycle.forget([query._id]);
    expect((await lifecycle.succeed(query, answer)).kind).toBe("gone");
    expect(await store.messages.listForConversation(query.conversationId)).toEqual([]);
  });

  it("accepts a query in full or not at all: when Redis fails, its records are removed", async () => {
    const broken = new Redis(testRedisUrl(), { enableOfflineQueue: false, lazyConnect: true });
    const failing = wireQueryLifecycle({ ...parts, redis: broken }).lifecycle;
    const conversation = store.conversations.build({ userId, model: "llama2" });
    const query = store.queries.build({
      userId,
      conversationId: conversation._id,
      seq: 0,
      model: "llama2",
      prompt: "lost",
      params: {},
      webhook: null,
    });
    await expect(failing.accept({ query, conversation })).rejects.toThrow();
    expect(await store.queries.findById(query._id)).toBeNull();
    expect(await store.conversations.findById(conversation._id)).toBeNull();
    broken.disconnect();
  });
});
