import { z } from "zod";
import { modelIdSchema } from "./conversations.js";
import { conversationIdSchema } from "./ids.js";

export const generationParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().min(1).max(8192).optional(),
  /** Deadline from submit; past it the query fails with `timeout` and its prediction is canceled. */
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
});
export type GenerationParams = z.infer<typeof generationParamsSchema>;

export const webhookEventSchema = z.enum(["start", "output", "completed"]);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const webhookSchema = z.strictObject({
  url: z.string().max(2048),
  events: z
    .array(webhookEventSchema)
    .min(1)
    .transform((events) => [...new Set(events)])
    .default(["completed"]),
});
export type WebhookConfig = z.infer<typeof webhookSchema>;

export const submitQueryBodySchema = z.strictObject({
  prompt: z.string().trim().min(1, "must not be empty").max(32_000),
  conversationId: conversationIdSchema.optional(),
  /** Needed only when a new conversation is started; must match the conversation's model otherwise. */
  model: modelIdSchema.optional(),
  /** System prompt for a new conversation. */
  system: z.string().max(8000).optional(),
  params: generationParamsSchema.optional(),
  /** Where to POST signed events of this query (Standard Webhooks). */
  webhook: webhookSchema.optional(),
});
export type SubmitQueryBody = z.infer<typeof submitQueryBodySchema>;

export const queryStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "canceled"]);
export type QueryStatus = z.infer<typeof queryStatusSchema>;
/** The statuses a query never leaves. */
export const finalStatuses = ["succeeded", "failed", "canceled"] as const satisfies readonly QueryStatus[];
export type FinalStatus = (typeof finalStatuses)[number];
/**
 * Whether a query has ended. The one statement of it: the API, the worker, the lifecycle's
 * state table (checked against it in its tests) and the client all ask this.
 */
export const isFinal = (status: QueryStatus): status is FinalStatus =>
  (finalStatuses as readonly QueryStatus[]).includes(status);

/** Stable machine-readable failure reasons; messages may change, codes do not. */
export const queryErrorCodeSchema = z.enum([
  "model_failed",
  "model_canceled",
  "provider_rejected",
  "provider_rate_limited",
  "provider_unavailable",
  "provider_malformed_response",
  "invalid_job",
  "timeout",
  "internal",
]);
export type QueryErrorCode = z.infer<typeof queryErrorCodeSchema>;

export const queryMetricsSchema = z.object({
  queueMs: z.number().nullable(),
  modelMs: z.number().nullable(),
  totalMs: z.number().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
});
export type QueryMetrics = z.infer<typeof queryMetricsSchema>;

/** The metrics of a query nothing has been measured for yet. */
export const emptyQueryMetrics: Readonly<QueryMetrics> = {
  queueMs: null,
  modelMs: null,
  totalMs: null,
  inputTokens: null,
  outputTokens: null,
};

export const querySchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  model: z.string(),
  prompt: z.string(),
  params: generationParamsSchema,
  status: queryStatusSchema,
  output: z.string().nullable(),
  error: z.object({ code: queryErrorCodeSchema, message: z.string() }).nullable(),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  metrics: queryMetricsSchema,
  webhook: z.object({ url: z.string(), events: z.array(webhookEventSchema) }).nullable(),
  urls: z.object({ get: z.string(), cancel: z.string(), events: z.string() }),
});
export type Query = z.infer<typeof querySchema>;

export const deliverySchema = z.object({
  id: z.string(),
  eventId: z.string(),
  event: webhookEventSchema,
  attempt: z.number().int(),
  at: z.iso.datetime(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;
