import { createEventHub, createQueryEmitter, createQueryEventLog, createWebhookGate } from "@llm-chat/events";
import { createHotHistory } from "@llm-chat/history";
import { createModelRegistry } from "@llm-chat/llm";
import { createLogger } from "@llm-chat/logger";
import { createMetrics } from "@llm-chat/metrics";
import { createQueryLedger, wireQueryLifecycle } from "@llm-chat/query-lifecycle";
import { createProducer } from "@llm-chat/queue";
import { openStore } from "@llm-chat/store";
import { isolate, testRedisUrl } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import { createApp } from "../src/app.js";
import { createAccessTokens } from "../src/auth/access-tokens.js";
import { createStreamSlots } from "../src/http/stream-slots.js";

/** The real app on real Redis and MongoDB (an isolated database and prefix), not listening. */
export async function buildTestApp() {
  const isolation = isolate();
  const logger = createLogger({ name: "api-test", level: "silent", pretty: false });
  const store = await openStore(isolation.mongoUrl, "api-test");
  const redis = new Redis(testRedisUrl(), { enableOfflineQueue: true });
  const subscriber = new Redis(testRedisUrl());
  const producer = createProducer(redis, isolation.queuePrefix, { queryAttempts: 1, queryBackoffMs: 100 });
  const events = createQueryEventLog(redis, { keyPrefix: isolation.queuePrefix, ttlSeconds: 60 });
  const metrics = createMetrics("api");
  const ledger = createQueryLedger(redis, { keyPrefix: isolation.queuePrefix });
  const models = createModelRegistry({ llama2ModelPath: "a/b", mistralModelPath: "c/d" });
  const history = createHotHistory(redis, store.messages, {
    keyPrefix: isolation.queuePrefix,
    maxTurns: 10,
    ttlSeconds: 60,
  });
  const emitter = createQueryEmitter(store, events, producer, logger, {
    webhooks: createWebhookGate(redis, store, producer, logger, {
      keyPrefix: isolation.queuePrefix,
      maxPendingPerUser: 100,
      maxPendingPerUrl: 100,
    }),
    outputFlushMs: 50,
    webhookOutputMs: 500,
  });
  const { lifecycle, order } = wireQueryLifecycle({
    store,
    redis,
    keyPrefix: isolation.queuePrefix,
    ledger,
    events,
    producer,
    emitter,
    history,
    logger,
    tokenCap: (model) => models.get(model)?.contextWindow,
  });
  const app = await createApp(
    {
      logger,
      metrics,
      store,
      redis,
      producer,
      models,
      history,
      events,
      hub: await createEventHub(subscriber, events.channel),
      emitter,
      order,
      ledger,
      lifecycle,
      streams: createStreamSlots(redis, isolation.queuePrefix, {
        perUser: 100,
        perProcess: 100,
        maxLifetimeMs: 60_000,
      }),
      tokens: createAccessTokens("a-test-secret-of-at-least-32-characters!", 900),
      config: {
        bodyLimit: "64kb",
        publicUrl: "",
        defaultModel: "llama2",
        queuePrefix: isolation.queuePrefix,
        allowPrivateWebhooks: false,
        maxOpenQueriesPerUser: 10,
        queueDashboardWrites: false,
        corsOrigins: [],
        trustProxyHops: 0,
        rateLimits: { submitPerMinute: 10, readPerMinute: 10, authPerMinute: 10 },
        authFailures: { perIp: 1000, perEmail: 1000, windowSeconds: 60 },
      },
      isShuttingDown: () => false,
    },
    3600,
  );
  return {
    app,
    async close() {
      await producer.close();
      redis.disconnect();
      subscriber.disconnect();
      await store.close();
      await isolation.cleanup();
    },
  };
}
