import { z } from "zod";

export const modelInfoSchema = z.object({
  id: z.string(),
  provider: z.enum(["replicate", "openai"]),
  providerModel: z.string(),
  contextWindow: z.number().int(),
  template: z.enum(["llama2", "mistral", "messages"]),
  defaultMaxTokens: z.number().int(),
  maxMaxTokens: z.number().int(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;
