import type { GenerationParams } from "@llm-chat/contracts";
import type { ModelSpec } from "./model-registry.js";

/**
 * Maps our parameter names to the Replicate model's input names. `prompt_template: "{prompt}"`
 * stops Replicate from wrapping the already formatted prompt in the template a second time.
 */
export function toReplicateInput(model: ModelSpec, prompt: string, params: GenerationParams): Record<string, unknown> {
  const input: Record<string, unknown> = {
    prompt,
    prompt_template: "{prompt}",
    max_new_tokens: params.maxTokens ?? model.defaultMaxTokens,
  };
  if (params.temperature !== undefined) input.temperature = params.temperature;
  if (params.topP !== undefined) input.top_p = params.topP;
  return input;
}
