import { z } from "zod";
import { modelIdSchema } from "./conversations.js";
import { conversationIdSchema } from "./ids.js";

export const generationParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().min(1).max(8192).optional(),
});
export type GenerationParams = z.infer<typeof generationParamsSchema>;

export const submitQueryBodySchema = z.strictObject({
  prompt: z.string().trim().min(1, "must not be empty").max(32_000),
  conversationId: conversationIdSchema.optional(),
  /** Needed only when a new conversation is started; must match the conversation's model otherwise. */
  model: modelIdSchema.optional(),
  /** System prompt for a new conversation. */
  system: z.string().max(8000).optional(),
  params: generationParamsSchema.optional(),
});
export type SubmitQueryBody = z.infer<typeof submitQueryBodySchema>;

export const queryStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "canceled"]);
export type QueryStatus = z.infer<typeof queryStatusSchema>;
export const terminalStatuses: readonly QueryStatus[] = ["succeeded", "failed", "canceled"];

/** Stable machine-readable failure reasons; messages may change, codes do not. */
export const queryErrorCodeSchema = z.enum([
  "model_failed",
  "model_canceled",
  "provider_rejected",
  "provider_unavailable",
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
  urls: z.object({ get: z.string(), cancel: z.string(), events: z.string() }),
});
export type Query = z.infer<typeof querySchema>;
