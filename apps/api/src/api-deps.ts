import { createEventHub } from "@llm-chat/events";
import type { Runtime } from "@llm-chat/runtime";
import { createAccessTokens } from "./auth/access-tokens.js";
import type { AppDeps } from "./deps.js";
import { createStreamSlots } from "./http/stream-slots.js";

/**
 * What the API adds to the runtime: the live event hub, stream slots, token signing and its
 * settings. Shared by the entry point and the tests, so both run the same wiring.
 */
export async function createApiDeps(runtime: Runtime, jwtSecret: string): Promise<AppDeps> {
  const { env } = runtime;
  // A subscribed connection can do nothing else; it waits out Redis outages like a worker's.
  const subscriber = runtime.connect("worker");
  const hub = await createEventHub(subscriber, runtime.events.channel);
  const streams = createStreamSlots(runtime.redis, env.QUEUE_PREFIX, {
    perUser: env.SSE_MAX_STREAMS_PER_USER,
    perProcess: env.SSE_MAX_STREAMS_PER_PROCESS,
    maxLifetimeMs: env.SSE_MAX_LIFETIME_SECONDS * 1000,
  });
  subscriber.on("message", (channel: string, queryId: string) => {
    if (channel === streams.goneChannel) streams.endQuery(queryId);
  });
  await subscriber.subscribe(streams.goneChannel);
  return {
    logger: runtime.logger,
    metrics: runtime.metrics,
    store: runtime.store,
    redis: runtime.redis,
    producer: runtime.producer,
    models: runtime.models,
    history: runtime.history,
    events: runtime.events,
    hub,
    emitter: runtime.emitter,
    order: runtime.order,
    ledger: runtime.ledger,
    lifecycle: runtime.lifecycle,
    tokens: createAccessTokens(jwtSecret, env.ACCESS_TOKEN_TTL_SECONDS),
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
    isShuttingDown: () => runtime.shutdown.started,
  };
}
