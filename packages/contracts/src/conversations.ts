import { z } from "zod";

export const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "expected a model id from GET /v1/models");

export const createConversationBodySchema = z.strictObject({
  model: modelIdSchema,
  title: z.string().trim().min(1).max(200).optional(),
  system: z.string().max(8000).optional(),
});
export type CreateConversationBody = z.infer<typeof createConversationBodySchema>;

export const messageRoleSchema = z.enum(["user", "assistant"]);

export const messageSchema = z.object({
  id: z.string(),
  role: messageRoleSchema,
  content: z.string(),
  queryId: z.string(),
  createdAt: z.iso.datetime(),
});
export type Message = z.infer<typeof messageSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  model: z.string(),
  title: z.string().nullable(),
  system: z.string().nullable(),
  /** The running summary of turns that no longer fit the model's window. */
  summary: z.object({ text: z.string(), throughSeq: z.number().int(), updatedAt: z.iso.datetime() }).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationWithMessagesSchema = conversationSchema.extend({
  /** The first page of messages, oldest first (see GET /v1/conversations/:id/messages). */
  messages: z.array(messageSchema),
  /** Pass as `cursor` to GET /v1/conversations/:id/messages for the next page; null when none. */
  messagesNextCursor: z.string().nullable(),
});
export type ConversationWithMessages = z.infer<typeof conversationWithMessagesSchema>;
