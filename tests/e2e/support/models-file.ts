import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A MODELS_FILE serving one model, "local", from an OpenAI-compatible server at `baseUrl`. */
export function localModelsFile(baseUrl: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "llm-chat-models-")), "models.json");
  const local = {
    id: "local",
    provider: "openai",
    providerModel: "llama3.2",
    baseUrl,
    template: "messages",
    tokenizer: "llama",
    contextWindow: 8192,
    defaultMaxTokens: 256,
    concurrency: 8,
  };
  writeFileSync(path, JSON.stringify({ models: [local] }));
  return path;
}
