import { once } from "node:events";
import {
  createQueryEmitter,
  createQueryEventLog,
  createWebhookGate,
  type QueryEmitter,
  type QueryEventLog,
  type WebhookGate,
} from "@llm-chat/events";
import { createModelRegistry, ModelConfigError, type ModelRegistry } from "@llm-chat/llm";
import {
  type ConversationOrder,
  createHotHistory,
  createQueryLedger,
  type HotHistory,
  type QueryLedger,
  type QueryLifecycle,
  wireQueryLifecycle,
} from "@llm-chat/query-lifecycle";
import {
  assertPrefixFitsRedis,
  createProducer,
  createRedis,
  type Producer,
  type RedisClient,
  type RedisRole,
  RedisUrlError,
  readQueueCounts,
} from "@llm-chat/queue";
import { openStore, type Store } from "@llm-chat/store";
import type { Env } from "./config/env-schema.js";
import { createLogger, type Logger } from "./logger/create-logger.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { observeQuery } from "./metrics/observe-query.js";
import { createShutdown, type Shutdown } from "./shutdown/shutdown.js";

export type Role = "api" | "worker";

/** What both apps (and the API's tests) run on: every object built once, from one Env. */
export interface Runtime {
  env: Env;
  role: Role;
  logger: Logger;
  shutdown: Shutdown;
  metrics: Metrics;
  store: Store;
  /** Events, history, ledger and live states. */
  redis: RedisClient;
  producer: Producer;
  models: ModelRegistry;
  history: HotHistory;
  events: QueryEventLog;
  ledger: QueryLedger;
  webhookGate: WebhookGate;
  emitter: QueryEmitter;
  lifecycle: QueryLifecycle;
  order: ConversationOrder;
  /** Another connection (a subscriber, a BullMQ worker's), closed with the rest by close(). */
  connect(kind: RedisRole): RedisClient;
  /** Closes the queues, every Redis connection and MongoDB; the apps register it after their servers and workers. */
  close(): Promise<void>;
}

/** A setting that passed the schema but cannot work (a model file, an untagged prefix on a cluster). */
export class StartupError extends Error {
  override name = "StartupError";
}

export async function createRuntime(env: Env, role: Role): Promise<Runtime> {
  const logger = createLogger({
    name: role,
    level: env.LOG_LEVEL,
    pretty: env.NODE_ENV === "development",
    logContent: env.LOG_CONTENT,
  });
  let models: ModelRegistry;
  try {
    assertPrefixFitsRedis(env.REDIS_URL, env.QUEUE_PREFIX);
    models = createModelRegistry({
      llama2ModelPath: env.LLAMA2_MODEL_PATH,
      mistralModelPath: env.MISTRAL_MODEL_PATH,
      modelsFile: env.MODELS_FILE,
    });
  } catch (error) {
    if (error instanceof RedisUrlError || error instanceof ModelConfigError) throw new StartupError(error.message);
    throw error;
  }

  const store = await openStore(env.MONGO_URL, `llm-chat-${role}`, {
    slowCommandMs: env.MONGO_SLOW_COMMAND_MS,
    onSlowCommand: (slow) => logger.warn(slow, "slow MongoDB command"),
  });
  const connections: RedisClient[] = [];
  const connect = (kind: RedisRole): RedisClient => {
    const connection = createRedis(env.REDIS_URL, kind);
    connection.on("error", (err) => logger.warn({ err: err.message, kind }, "redis connection error"));
    connections.push(connection);
    return connection;
  };
  // The API fails a request fast while Redis is away (503); a worker waits for it to return.
  const redis = connect(role === "api" ? "producer" : "worker");
  // A worker's queues get a connection of their own, as before the runtime existed; the API's
  // share its only command connection.
  const producer = createProducer(role === "api" ? redis : connect("worker"), env.QUEUE_PREFIX, {
    queryAttempts: env.QUERY_ATTEMPTS,
    queryBackoffMs: env.QUERY_BACKOFF_MS,
  });
  const metrics = createMetrics(role);
  metrics.trackQueues(() => readQueueCounts(producer));

  const history = createHotHistory(redis, store.messages, {
    keyPrefix: env.QUEUE_PREFIX,
    maxTurns: env.HISTORY_MAX_TURNS,
    ttlSeconds: env.HISTORY_TTL_SECONDS,
  });
  const events = createQueryEventLog(redis, { keyPrefix: env.QUEUE_PREFIX, ttlSeconds: env.EVENTS_TTL_SECONDS });
  const ledger = createQueryLedger(redis, { keyPrefix: env.QUEUE_PREFIX });
  const webhookGate = createWebhookGate(redis, store, producer, logger, {
    keyPrefix: env.QUEUE_PREFIX,
    maxPendingPerUser: env.WEBHOOK_MAX_PENDING_PER_USER,
    maxPendingPerUrl: env.WEBHOOK_MAX_PENDING_PER_URL,
  });
  const emitter = createQueryEmitter(store, events, producer, logger, {
    webhooks: webhookGate,
    outputFlushMs: 50,
    webhookOutputMs: 500,
    onFinished: (query) => observeQuery(metrics, query),
  });
  const { lifecycle, order } = wireQueryLifecycle({
    store,
    redis,
    keyPrefix: env.QUEUE_PREFIX,
    ledger,
    events,
    producer,
    emitter,
    history,
    logger,
    tokenCap: (model) => models.get(model)?.contextWindow,
  });

  return {
    env,
    role,
    logger,
    shutdown: createShutdown(logger),
    metrics,
    store,
    redis,
    producer,
    models,
    history,
    events,
    ledger,
    webhookGate,
    emitter,
    lifecycle,
    order,
    connect,
    async close() {
      await producer.close();
      await Promise.all(
        connections.map(async (connection) => {
          if (connection.status === "end") return;
          // quit() resolves on the server's OK, before the socket is gone: wait for the end.
          const ended = once(connection, "end");
          // QUIT lets replies in flight arrive; a connection that is not up has none, and
          // would queue or refuse the QUIT itself: it is cut instead.
          if (connection.status === "ready") await connection.quit().catch(() => connection.disconnect());
          else connection.disconnect();
          await ended;
        }),
      );
      await store.close();
    },
  };
}

/** For entry points: a start-up error becomes one line on stderr and exit code 1, not a stack trace. */
export async function createRuntimeOrExit(env: Env, role: Role): Promise<Runtime> {
  try {
    return await createRuntime(env, role);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    process.stderr.write(`${role}: ${error.message}\n`);
    process.exit(1);
  }
}
