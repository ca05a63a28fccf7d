import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { loadEnvOrExit } from "@llm-chat/config";
import { createEventHub, createQueryEmitter, createQueryEventLog, createWebhookGate } from "@llm-chat/events";
import { createHotHistory } from "@llm-chat/history";
import { createShutdown } from "@llm-chat/lifecycle";
import { createModelRegistry, ModelConfigError } from "@llm-chat/llm";
import { createLogger } from "@llm-chat/logger";
import { createMetrics, observeQuery, startMetricsServer } from "@llm-chat/metrics";
import { createQueryLedger, wireQueryLifecycle } from "@llm-chat/query-lifecycle";
import { assertPrefixFitsRedis, createProducer, createRedis, readQueueCounts } from "@llm-chat/queue";
import { openStore } from "@llm-chat/store";
import { createApp } from "./app.js";
import { createAccessTokens } from "./auth/access-tokens.js";
import { createStreamSlots } from "./http/stream-slots.js";

const env = loadEnvOrExit(process.env, "api");
if (!env.JWT_SECRET) {
  process.stderr.write("api: Invalid environment: JWT_SECRET (missing): required to sign access tokens\n");
  process.exit(1);
}
const logger = createLogger({
  name: "api",
  level: env.LOG_LEVEL,
  pretty: env.NODE_ENV === "development",
  logContent: env.LOG_CONTENT,
});
const shutdown = createShutdown(logger);
shutdown.handleSignals(15_000);

try {
  assertPrefixFitsRedis(env.REDIS_URL, env.QUEUE_PREFIX);
} catch (error) {
  process.stderr.write(`api: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
}
const store = await openStore(env.MONGO_URL, "llm-chat-api", {
  slowCommandMs: env.MONGO_SLOW_COMMAND_MS,
  onSlowCommand: (slow) => logger.warn(slow, "slow MongoDB command"),
});
const redis = createRedis(env.REDIS_URL, "producer");
redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
const producer = createProducer(redis, env.QUEUE_PREFIX, {
  queryAttempts: env.QUERY_ATTEMPTS,
  queryBackoffMs: env.QUERY_BACKOFF_MS,
});
let models: ReturnType<typeof createModelRegistry>;
try {
  models = createModelRegistry({
    llama2ModelPath: env.LLAMA2_MODEL_PATH,
    mistralModelPath: env.MISTRAL_MODEL_PATH,
    modelsFile: env.MODELS_FILE,
  });
} catch (error) {
  if (!(error instanceof ModelConfigError)) throw error;
  process.stderr.write(`api: ${error.message}\n`);
  process.exit(1);
}

const history = createHotHistory(redis, store.messages, {
  keyPrefix: env.QUEUE_PREFIX,
  maxTurns: env.HISTORY_MAX_TURNS,
  ttlSeconds: env.HISTORY_TTL_SECONDS,
});

const events = createQueryEventLog(redis, { keyPrefix: env.QUEUE_PREFIX, ttlSeconds: env.EVENTS_TTL_SECONDS });
// A subscribed connection can do nothing else; it waits out Redis outages like a worker's.
const subscriber = createRedis(env.REDIS_URL, "worker");
subscriber.on("error", (err) => logger.warn({ err: err.message }, "redis subscriber error"));
const hub = await createEventHub(subscriber, events.channel);
const streams = createStreamSlots(redis, env.QUEUE_PREFIX, {
  perUser: env.SSE_MAX_STREAMS_PER_USER,
  perProcess: env.SSE_MAX_STREAMS_PER_PROCESS,
  maxLifetimeMs: env.SSE_MAX_LIFETIME_SECONDS * 1000,
});
subscriber.on("message", (channel: string, queryId: string) => {
  if (channel === streams.goneChannel) streams.endQuery(queryId);
});
await subscriber.subscribe(streams.goneChannel);
const metrics = createMetrics("api");
metrics.trackQueues(() => readQueueCounts(producer));
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

// Bootstrap: admins named in the environment, among accounts that exist now. Registering a
// listed address later grants nothing (the API itself never grants the role).
const unknownAdmins = (
  await Promise.all(env.ADMIN_EMAILS.map(async (email) => ((await store.users.setAdmin(email, true)) ? null : email)))
).filter((email) => email !== null);
if (unknownAdmins.length > 0) {
  logger.warn(
    { count: unknownAdmins.length },
    "ADMIN_EMAILS names addresses with no account: none was made admin; register them, then use `pnpm admin grant`",
  );
}

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
    hub,
    emitter,
    order,
    ledger,
    lifecycle,
    tokens: createAccessTokens(env.JWT_SECRET, env.ACCESS_TOKEN_TTL_SECONDS),
    streams,
    config: {
      bodyLimit: env.API_BODY_LIMIT,
      publicUrl: env.API_PUBLIC_URL ?? "",
      defaultModel: "llama2",
      queuePrefix: env.QUEUE_PREFIX,
      allowPrivateWebhooks: env.WEBHOOK_ALLOW_PRIVATE_URLS,
      maxOpenQueriesPerUser: env.MAX_OPEN_QUERIES_PER_USER,
      queueDashboardWrites: env.QUEUE_DASHBOARD_WRITES,
      corsOrigins: env.CORS_ORIGINS,
      trustProxyHops: env.TRUST_PROXY_HOPS,
      authFailures: {
        perIp: env.AUTH_FAILURES_PER_IP,
        perEmail: env.AUTH_FAILURES_PER_EMAIL,
        windowSeconds: env.AUTH_FAILURE_WINDOW_SECONDS,
      },
      rateLimits: {
        submitPerMinute: env.RATE_LIMIT_SUBMIT_PER_MINUTE,
        readPerMinute: env.RATE_LIMIT_READ_PER_MINUTE,
        authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      },
    },
    isShuttingDown: () => shutdown.started,
  },
  env.REFRESH_TOKEN_TTL_SECONDS,
);

const server = app.listen(env.API_PORT, env.API_HOST);
await once(server, "listening");
// Slow clients must not hold sockets forever.
server.requestTimeout = 30_000;
server.headersTimeout = 10_000;
const { port } = server.address() as AddressInfo;
const metricsServer = await startMetricsServer(metrics, {
  host: env.API_METRICS_HOST,
  port: env.API_METRICS_PORT,
  token: env.METRICS_TOKEN,
});
logger.info({ host: env.API_HOST, port, metricsPort: metricsServer.port }, "api listening");

shutdown.register("http server", () => {
  server.closeIdleConnections();
  // Event streams never end by themselves: give them a moment, then cut them (clients
  // resume on another process with Last-Event-ID).
  setTimeout(() => server.closeAllConnections(), 5000).unref();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
shutdown.register("queues", () => producer.close());
shutdown.register("redis", () => Promise.all([redis.quit(), subscriber.quit()]));
shutdown.register("mongodb", () => store.close());
// Last: scrapes keep answering while the API drains.
shutdown.register("metrics server", () => new Promise<void>((resolve) => metricsServer.server.close(() => resolve())));
