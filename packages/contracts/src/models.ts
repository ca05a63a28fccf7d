import { z } from "zod";

export const modelInfoSchema = z.object({
  id: z.string(),
  provider: z.enum(["replicate"]),
  providerModel: z.string(),
  contextWindow: z.number().int(),
  template: z.enum(["llama2", "mistral"]),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;
