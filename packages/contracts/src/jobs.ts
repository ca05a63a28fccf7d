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
