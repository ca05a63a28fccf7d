import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createModelRegistry, ModelConfigError } from "../src/index.js";

const base = { llama2ModelPath: "meta/llama-2-7b-chat", mistralModelPath: "mistralai/mistral-7b-instruct-v0.2" };
const file = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "models-")), name);
  writeFileSync(path, text);
  return path;
};

describe("the model registry", () => {
  it("serves the two defaults from their env paths", () => {
    const registry = createModelRegistry(base);
    expect(registry.list().map((m) => [m.id, m.provider, m.providerModel])).toEqual([
      ["llama2", "replicate", "meta/llama-2-7b-chat"],
      ["mistral", "replicate", "mistralai/mistral-7b-instruct-v0.2"],
    ]);
    expect(registry.get("llama2")?.maxMaxTokens).toBe(4095);
  });

  it("adds models from a YAML file", () => {
    const modelsFile = file(
      "models.yaml",
      `models:
  - id: llama3-local
    provider: openai
    providerModel: llama3.2
    baseUrl: http://127.0.0.1:11434/v1
    template: messages
    tokenizer: llama
    contextWindow: 8192
    defaultMaxTokens: 512
    concurrency: 4
`,
    );
    const local = createModelRegistry({ ...base, modelsFile }).get("llama3-local");
    expect(local).toMatchObject({ provider: "openai", baseUrl: "http://127.0.0.1:11434/v1", concurrency: 4 });
  });

  it("names the bad field of a bad file", () => {
    const modelsFile = file("models.json", JSON.stringify({ models: [{ id: "x", provider: "openai" }] }));
    expect(() => createModelRegistry({ ...base, modelsFile })).toThrow(ModelConfigError);
    expect(() => createModelRegistry({ ...base, modelsFile })).toThrow(/models\[0\]\.providerModel/);
  });

  it("refuses an OpenAI-compatible model without a server address", () => {
    const modelsFile = file(
      "models.json",
      JSON.stringify({
        models: [
          {
            id: "x",
            provider: "openai",
            providerModel: "m",
            template: "messages",
            tokenizer: "llama",
            contextWindow: 4096,
            defaultMaxTokens: 10,
          },
        ],
      }),
    );
    expect(() => createModelRegistry({ ...base, modelsFile })).toThrow(/needs baseUrl/);
  });
});
