import { z } from "zod";
import { conversationIdSchema, queryIdSchema, userIdSchema } from "./ids.js";

/**
 * Job payloads carry ids only: the record in MongoDB is the truth, and nothing
 * secret or large ever sits in Redis.
 */
export const queryJobSchema = z.strictObject({
  queryId: queryIdSchema,
  conversationId: conversationIdSchema,
  userId: userIdSchema,
});
export type QueryJob = z.infer<typeof queryJobSchema>;

/** Fold a conversation's turns up to `throughSeq` into its running summary. */
export const summaryJobSchema = z.strictObject({
  conversationId: conversationIdSchema,
  throughSeq: z.number().int().min(0),
});
export type SummaryJob = z.infer<typeof summaryJobSchema>;

/** Deliver one webhook event (its payload is stored in MongoDB under `eventId`). */
export const webhookJobSchema = z.strictObject({
  eventId: z.string().regex(/^evt_[0-9A-Z]{26}(_[a-z]+)?$/),
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;
