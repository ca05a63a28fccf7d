import type { ModelInfo } from "@llm-chat/contracts";
import type { TokenizerName } from "./tokenizer.js";

export type ChatTemplate = "llama2" | "mistral";

export interface ModelSpec extends ModelInfo {
  template: ChatTemplate;
  tokenizer: TokenizerName;
  /** Answer budget when the caller sets none. */
  defaultMaxTokens: number;
}

export interface ModelRegistryConfig {
  llama2ModelPath: string;
  mistralModelPath: string;
}

export interface ModelRegistry {
  get(id: string): ModelSpec | undefined;
  list(): ModelSpec[];
}

export function createModelRegistry(config: ModelRegistryConfig): ModelRegistry {
  const models: ModelSpec[] = [
    {
      id: "llama2",
      provider: "replicate",
      providerModel: config.llama2ModelPath,
      contextWindow: 4096,
      template: "llama2",
      tokenizer: "llama",
      defaultMaxTokens: 512,
    },
    {
      id: "mistral",
      provider: "replicate",
      providerModel: config.mistralModelPath,
      contextWindow: 32_768,
      template: "mistral",
      tokenizer: "mistral",
      defaultMaxTokens: 512,
    },
  ];
  const byId = new Map(models.map((m) => [m.id, m]));
  return { get: (id) => byId.get(id), list: () => [...models] };
}
