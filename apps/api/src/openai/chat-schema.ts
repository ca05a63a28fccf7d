import { z } from "zod";

/** Text, or a list of text parts (the other part kinds, images and audio, are not served). */
const textContent = z.union([
  z.string(),
  z.array(z.object({ type: z.literal("text", "only text content parts are supported"), text: z.string() })),
]);

const chatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant"], "must be system, developer, user or assistant"),
  content: textContent,
  name: z.string().optional(),
  refusal: z.string().nullable().optional(),
});

/** Parameters OpenAI clients send by default that change nothing here; accepted and ignored. */
export const ignoredChatParameters = {
  user: z.string().optional(),
  store: z.boolean().optional(),
  service_tier: z.string().nullable().optional(),
  frequency_penalty: z.literal(0, "is not supported; leave it out").nullable().optional(),
  presence_penalty: z.literal(0, "is not supported; leave it out").nullable().optional(),
  logprobs: z.literal(false, "is not supported").nullable().optional(),
  parallel_tool_calls: z.boolean().optional(),
  seed: z.number().int().nullable().optional(),
};

export const conversationMetadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, "at most 16 keys")
  .optional();

/** POST /v1/chat/completions: OpenAI's request, as far as llm-chat can honour it. */
export const chatCompletionBodySchema = z.strictObject({
  model: z.string().min(1).max(128),
  messages: z.array(chatMessageSchema).min(1, "must hold at least one message").max(1000),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  max_tokens: z.number().int().min(1).max(8192).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).max(8192).nullable().optional(),
  n: z.literal(1, "only n=1 is supported: one choice per request").nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  /** llm-chat extension: `conversation_id` appends to one of the caller's conversations. */
  metadata: conversationMetadataSchema,
  ...ignoredChatParameters,
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

/** The text of a message's content (text parts joined). */
export const contentText = (content: z.infer<typeof textContent>): string =>
  typeof content === "string" ? content : content.map((part) => part.text).join("");
