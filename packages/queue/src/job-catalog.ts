import { type QueryJob, queryJobSchema, type SummaryJob, summaryJobSchema } from "@llm-chat/contracts";
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
      // Jitter spreads retries so a provider outage does not end in a synchronized stampede.
      backoff: { type: "exponential", delay: settings.queryBackoffMs, jitter: 0.5 },
      // Completed jobs are not the record (MongoDB is); keep a short tail for debugging only.
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
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
      removeOnFail: { age: 24 * 3600 },
    }),
  } satisfies CatalogEntry<typeof summaryJobSchema>,
} as const;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["schema"]>;

export type { QueryJob, SummaryJob };
