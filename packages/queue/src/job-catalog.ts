import {
  type QueryJob,
  queryJobSchema,
  type SummaryJob,
  summaryJobSchema,
  type WebhookJob,
  webhookJobSchema,
} from "@llm-chat/contracts";
import type { JobsOptions } from "bullmq";
import type { z } from "zod";
import { QueueName } from "./queue-names.js";

export interface CatalogSettings {
  queryAttempts: number;
  queryBackoffMs: number;
}

interface CatalogEntry<S extends z.ZodType> {
  queue: QueueName;
  schema: S;
  options: (settings: CatalogSettings) => JobsOptions;
}

/** One place that says, for each job, its queue, its payload schema and how it is retried and kept. */
export const jobCatalog = {
  query: {
    queue: QueueName.query,
    schema: queryJobSchema,
    options: (settings) => ({
      attempts: settings.queryAttempts,
      // See queryBackoff: exponential with jitter, never sooner than a provider's Retry-After.
      backoff: { type: "query" },
      // Completed jobs are not the record (MongoDB is); keep a short tail for debugging only.
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
    }),
  } satisfies CatalogEntry<typeof queryJobSchema>,
  summary: {
    queue: QueueName.summary,
    schema: summaryJobSchema,
    options: () => ({
      // Housekeeping: a summary that never gets written only costs memory of early turns.
      attempts: 3,
      backoff: { type: "exponential", delay: 5000, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    }),
  } satisfies CatalogEntry<typeof summaryJobSchema>,
  webhook: {
    queue: QueueName.webhook,
    schema: webhookJobSchema,
    options: () => ({
      // With the "webhook" backoff below: 5 s doubling to a 2 h ceiling, about a day and a half in all.
      attempts: WEBHOOK_ATTEMPTS,
      backoff: { type: "webhook" },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
    }),
  } satisfies CatalogEntry<typeof webhookJobSchema>,
} as const;

export const WEBHOOK_ATTEMPTS = 30;

/**
 * Query retry delays: exponential from `baseMs` with ±50% jitter, so a provider outage does
 * not end in a synchronized stampede, and never sooner than a 429's Retry-After.
 */
export function queryBackoff(
  attemptsMade: number,
  retryAfterMs: number | null,
  baseMs: number,
  random = Math.random,
): number {
  const base = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(Math.max(base * (0.5 + random()), retryAfterMs ?? 0));
}

/**
 * Webhook retry delays: growing from seconds to hours, with jitter so a receiver that comes
 * back is not hit by every sender at once, and never sooner than a Retry-After it asked for.
 */
export function webhookBackoff(
  attemptsMade: number,
  retryAfterMs: number | null,
  baseMs = 5000,
  random = Math.random,
): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 2 * 3600 * 1000);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["schema"]>;

export type { QueryJob, SummaryJob, WebhookJob };
