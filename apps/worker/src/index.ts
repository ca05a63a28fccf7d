import { setTimeout as sleep } from "node:timers/promises";
import { createProviders, ProviderConfigError, ProviderError } from "@llm-chat/llm";
import { cancelChannelOf } from "@llm-chat/query-lifecycle";
import { QueueName, queryBackoff, webhookBackoff } from "@llm-chat/queue";
import { createRuntimeOrExit, loadEnvOrExit } from "@llm-chat/runtime";
import { createGuardedDispatcher } from "@llm-chat/webhooks";
import { Worker } from "bullmq";
import { abortReasons } from "./abort-reason.js";
import { createPromptBuilder } from "./build-prompt.js";
import { startHealthServer } from "./health-server.js";
import { createQueryProcessor } from "./query-processor.js";
import { createSummaryProcessor } from "./summary-processor.js";
import { startSweeper } from "./sweeper.js";
import { createWebhookProcessor, RetryableDeliveryError } from "./webhook-processor.js";

const env = loadEnvOrExit(process.env, "worker");
const runtime = await createRuntimeOrExit(env, "worker");
const { logger, shutdown, metrics, store, redis, producer, models, history, emitter, lifecycle, order } = runtime;
// The whole shutdown must fit in the orchestrator's grace period: jobs' bound plus closing connections.
shutdown.handleSignals(env.WORKER_SHUTDOWN_TIMEOUT_MS + 5000);

const breakerValue = { closed: 0, "half-open": 1, open: 2 } as const;
let providers: ReturnType<typeof createProviders>;
try {
  providers = createProviders(models, redis, {
    keyPrefix: env.QUEUE_PREFIX,
    replicate: {
      apiToken: env.REPLICATE_API_TOKEN,
      baseUrl: env.REPLICATE_BASE_URL,
      pollIntervalMs: env.REPLICATE_POLL_INTERVAL_MS,
      rateLimit: { points: env.REPLICATE_RATE_LIMIT_POINTS, windowSeconds: env.REPLICATE_RATE_LIMIT_WINDOW_SECONDS },
    },
    breaker: {
      errorThresholdPercentage: env.CIRCUIT_BREAKER_ERROR_PERCENT,
      volumeThreshold: env.CIRCUIT_BREAKER_VOLUME,
      resetTimeoutMs: env.CIRCUIT_BREAKER_RESET_MS,
      onStateChange: (provider, state) => {
        metrics.breakerState.set({ provider }, breakerValue[state]);
        logger.warn({ provider, state }, `circuit breaker ${state}`);
      },
    },
    secret: (name) => process.env[name],
  });
} catch (error) {
  if (!(error instanceof ProviderConfigError)) throw error;
  process.stderr.write(`worker: ${error.message}\n`);
  process.exit(1);
}
// The BullMQ workers share a connection of their own, apart from the lifecycle's and the queues'.
const workerRedis = runtime.connect("worker");

const processor = createQueryProcessor({
  store,
  lifecycle,
  models,
  providers,
  order,
  buildPrompt: createPromptBuilder({
    history,
    producer,
    logger,
    summaryEnabled: env.SUMMARY_ENABLED,
    maxTurns: env.HISTORY_MAX_TURNS,
  }),
  emitter,
  metrics,
  logger,
  queryTimeoutMs: env.QUERY_TIMEOUT_MS,
  orderRecheckMs: env.QUERY_ORDER_RECHECK_MS,
});

const worker = new Worker(QueueName.query, processor, {
  connection: workerRedis,
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  lockDuration: env.WORKER_LOCK_DURATION_MS,
  // Look for lapsed locks as often as a lock can lapse, so a dead worker's jobs move on promptly.
  stalledInterval: env.WORKER_LOCK_DURATION_MS,
  settings: {
    backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
      queryBackoff(attemptsMade, err instanceof ProviderError ? err.retryAfterMs : null, env.QUERY_BACKOFF_MS),
  },
  // A job held by a killed worker is handed on after its lock lapses; allow that to happen
  // more than once before calling the job broken.
  maxStalledCount: 3,
});
worker.on("error", (err) => logger.warn({ err: err.message }, "worker error"));

// A cancel is announced to every worker; the one running the query aborts it.
const cancelSubscriber = runtime.connect("worker");
cancelSubscriber.on("message", (_channel: string, queryId: string) => {
  if (worker.cancelJob(queryId, abortReasons.canceled)) logger.info({ queryId }, "canceling a running query");
});
await cancelSubscriber.subscribe(cancelChannelOf(env.QUEUE_PREFIX));

// Summaries are housekeeping: their own queue and a small concurrency keep them from
// competing with answers for the worker's slots.
const summaryWorker = new Worker(
  QueueName.summary,
  createSummaryProcessor({ store, models, providers, logger, maxTokens: env.SUMMARY_MAX_TOKENS }),
  {
    connection: workerRedis,
    prefix: env.QUEUE_PREFIX,
    concurrency: env.SUMMARY_CONCURRENCY,
    lockDuration: env.WORKER_LOCK_DURATION_MS,
    autorun: env.SUMMARY_ENABLED,
  },
);
summaryWorker.on("error", (err) => logger.warn({ err: err.message }, "summary worker error"));

// Deliveries connect only to public addresses, checked again as each connection is made.
const dispatcher = createGuardedDispatcher({
  allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_URLS,
  connectTimeoutMs: Math.min(env.WEBHOOK_TIMEOUT_MS, 5000),
});
const webhookWorker = new Worker(
  QueueName.webhook,
  createWebhookProcessor({
    store,
    gate: runtime.webhookGate,
    logger,
    dispatcher,
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_URLS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    metrics,
  }),
  {
    connection: workerRedis,
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WEBHOOK_CONCURRENCY,
    lockDuration: env.WORKER_LOCK_DURATION_MS,
    // As for queries: a dead worker's deliveries move on as soon as their locks lapse.
    stalledInterval: env.WORKER_LOCK_DURATION_MS,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        webhookBackoff(
          attemptsMade,
          err instanceof RetryableDeliveryError ? err.retryAfterMs : null,
          env.WEBHOOK_RETRY_BASE_MS,
        ),
    },
  },
);
webhookWorker.on("error", (err) => logger.warn({ err: err.message }, "webhook worker error"));

const sweeper = startSweeper(store, producer, runtime.ledger, lifecycle, logger, {
  intervalMs: env.SWEEPER_INTERVAL_MS,
  graceMs: env.SWEEPER_GRACE_MS,
  batch: 500,
});

shutdown.register("sweeper", async () => sweeper.stop());
shutdown.register("workers", async () => {
  // Stop taking jobs and let running ones finish; past the bound, abort them so each hands
  // its job back to the queue for another worker, rather than hold up the exit.
  const closeQueries = async () => {
    const closed = worker.close();
    const outcome = await Promise.race([
      closed.then(() => "closed"),
      sleep(env.WORKER_SHUTDOWN_TIMEOUT_MS, "deadline"),
    ]);
    if (outcome === "deadline") {
      logger.warn(
        { boundMs: env.WORKER_SHUTDOWN_TIMEOUT_MS },
        "jobs still running at the shutdown bound; handing them back",
      );
      worker.cancelAllJobs(abortReasons.handBack);
      await closed;
    }
  };
  // Deliveries in flight end within WEBHOOK_TIMEOUT_MS; an unfinished summary is simply
  // redone later and not worth holding up the exit.
  await Promise.all([closeQueries(), webhookWorker.close(), summaryWorker.close(true)]);
});
shutdown.register("queues, redis and mongodb", () => runtime.close());
shutdown.register("http dispatcher", () => dispatcher.close());

const health = await startHealthServer(
  metrics,
  {
    async ready() {
      if (shutdown.started) return false;
      await Promise.all([redis.ping(), store.mongo.ping(1000)]);
      return true;
    },
  },
  { host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT, token: env.METRICS_TOKEN },
);
// Last to close: probes and scrapes keep answering (readiness says no) while the worker drains.
shutdown.register("health server", () => new Promise<void>((resolve) => health.server.close(() => resolve())));

await Promise.all([worker.waitUntilReady(), webhookWorker.waitUntilReady()]);
logger.info({ concurrency: env.WORKER_CONCURRENCY, queue: QueueName.query, metricsPort: health.port }, "worker ready");
