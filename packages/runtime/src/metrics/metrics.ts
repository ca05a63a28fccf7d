import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { registerStoreCommands } from "./store-commands.js";

/** Seconds buckets from 5 ms to 10 min: queue waits are short, model runs long. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export type QueueCounts = Record<string, Record<string, number>>;

/**
 * Every metric llm-chat exposes, one registry per process. The API and the workers share
 * the names, so one dashboard sums them; deploy/grafana and deploy/test rely on these names.
 */
export function createMetrics(service: "api" | "worker") {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: "llmchat_" });
  registerStoreCommands(registry);
  const registers = [registry];

  let queueCounts: (() => Promise<QueueCounts>) | null = null;

  return {
    registry,
    httpRequests: new Counter({
      name: "llmchat_http_requests_total",
      help: "HTTP requests by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "llmchat_http_request_duration_seconds",
      help: "HTTP request latency",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueJobs: new Gauge({
      name: "llmchat_queue_jobs",
      help: "Jobs in each BullMQ queue by state",
      labelNames: ["queue", "state"] as const,
      registers,
      async collect() {
        if (!queueCounts) return;
        try {
          for (const [queue, states] of Object.entries(await queueCounts())) {
            for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
          }
        } catch {
          // Redis away: keep the last values rather than fail the whole scrape.
        }
      },
    }),
    queries: new Counter({
      name: "llmchat_queries_total",
      help: "Finished queries by model, outcome and error code",
      labelNames: ["model", "outcome", "code"] as const,
      registers,
    }),
    queueWait: new Histogram({
      name: "llmchat_query_queue_wait_seconds",
      help: "Time from submit to the first attempt",
      labelNames: ["model"] as const,
      buckets: durationBuckets,
      registers,
    }),
    modelTime: new Histogram({
      name: "llmchat_query_model_seconds",
      help: "Time the model took",
      labelNames: ["model"] as const,
      buckets: durationBuckets,
      registers,
    }),
    totalTime: new Histogram({
      name: "llmchat_query_total_seconds",
      help: "Time from submit to answer",
      labelNames: ["model"] as const,
      buckets: durationBuckets,
      registers,
    }),
    tokens: new Counter({
      name: "llmchat_tokens_total",
      help: "Tokens in (prompt) and out (answer)",
      labelNames: ["model", "direction"] as const,
      registers,
    }),
    providerErrors: new Counter({
      name: "llmchat_provider_errors_total",
      help: "Provider call failures by provider and class",
      labelNames: ["provider", "class"] as const,
      registers,
    }),
    breakerState: new Gauge({
      name: "llmchat_circuit_breaker_state",
      help: "Circuit breaker per provider: 0 closed, 1 half-open, 2 open",
      labelNames: ["provider"] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "llmchat_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    /** Queue depths are read from Redis when scraped (every process sees the same numbers). */
    trackQueues(read: () => Promise<QueueCounts>): void {
      queueCounts = read;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
