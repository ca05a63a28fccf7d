import { z } from "zod";

export const modelInfoSchema = z.object({
  id: z.string(),
  /** OpenAI's model fields, so OpenAI clients can list models here too. */
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
  provider: z.enum(["replicate", "openai"]),
  providerModel: z.string(),
  contextWindow: z.number().int(),
  template: z.enum(["llama2", "mistral", "messages"]),
  defaultMaxTokens: z.number().int(),
  maxMaxTokens: z.number().int(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** GET /v1/models: llm-chat's fields and OpenAI's list shape in one answer. */
export const modelListSchema = z.object({ object: z.literal("list"), data: z.array(modelInfoSchema) });
