import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export type ChatTemplate = "llama2" | "mistral" | "messages";
export type TokenizerName = "llama" | "mistral";
export type ProviderKind = "replicate" | "openai";

const modelEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lower-case letters, digits, . _ - (at most 64)"),
  provider: z.enum(["replicate", "openai"]),
  /** Replicate `owner/name[:version]`, or the model name the OpenAI-compatible server knows. */
  providerModel: z.string().min(1).max(200),
  /** OpenAI-compatible servers only: e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseUrl: z.url().optional(),
  /** Name of the environment variable that holds the server's API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  /** "messages" sends role-tagged messages and lets the server apply the model's own template. */
  template: z.enum(["llama2", "mistral", "messages"]),
  tokenizer: z.enum(["llama", "mistral"]),
  contextWindow: z.number().int().min(256).max(10_000_000),
  defaultMaxTokens: z.number().int().min(1),
  maxMaxTokens: z.number().int().min(1).optional(),
  /** Generations of this model one worker runs at once. */
  concurrency: z.number().int().min(1).max(10_000).optional(),
});

const modelsFileSchema = z.strictObject({ models: z.array(modelEntrySchema).min(1) });

export type ModelSpec = z.infer<typeof modelEntrySchema> & { maxMaxTokens: number };

export interface ModelRegistryConfig {
  llama2ModelPath: string;
  mistralModelPath: string;
  /** A JSON or YAML file with more models (or replacements of the two defaults by id). */
  modelsFile?: string | undefined;
}

export interface ModelRegistry {
  get(id: string): ModelSpec | undefined;
  list(): ModelSpec[];
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelConfigError";
  }
}

function defaults(config: ModelRegistryConfig): z.infer<typeof modelEntrySchema>[] {
  return [
    {
      id: "llama2",
      provider: "replicate",
      providerModel: config.llama2ModelPath,
      template: "llama2",
      tokenizer: "llama",
      contextWindow: 4096,
      defaultMaxTokens: 512,
    },
    {
      id: "mistral",
      provider: "replicate",
      providerModel: config.mistralModelPath,
      template: "mistral",
      tokenizer: "mistral",
      contextWindow: 32_768,
      defaultMaxTokens: 512,
    },
  ];
}

function readModelsFile(path: string): z.infer<typeof modelEntrySchema>[] {
  let raw: unknown;
  try {
    const text = readFileSync(path, "utf8");
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(
      `MODELS_FILE ${path}: cannot read it (${error instanceof Error ? error.message : error})`,
    );
  }
  const parsed = modelsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") ?? "";
    throw new ModelConfigError(`MODELS_FILE ${path}: ${at.replace(/^\./, "")}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data.models;
}

/** The models this deployment serves: the two defaults, plus or overridden by MODELS_FILE. Validated once, at start. */
export function createModelRegistry(config: ModelRegistryConfig): ModelRegistry {
  const entries = new Map(defaults(config).map((m) => [m.id, m]));
  for (const model of config.modelsFile ? readModelsFile(config.modelsFile) : []) entries.set(model.id, model);

  const models: ModelSpec[] = [];
  for (const m of entries.values()) {
    if (m.provider === "openai" && !m.baseUrl) {
      throw new ModelConfigError(`model ${m.id}: an openai provider needs baseUrl (e.g. http://127.0.0.1:11434/v1)`);
    }
    const maxMaxTokens = m.maxMaxTokens ?? m.contextWindow - 1;
    if (m.defaultMaxTokens > maxMaxTokens || maxMaxTokens >= m.contextWindow) {
      throw new ModelConfigError(`model ${m.id}: defaultMaxTokens ≤ maxMaxTokens < contextWindow must hold`);
    }
    models.push({ ...m, maxMaxTokens });
  }
  const byId = new Map(models.map((m) => [m.id, m]));
  return { get: (id) => byId.get(id), list: () => [...models] };
}
