import type { ModelRegistry, ModelSpec } from "@llm-chat/llm";
import { bodyField, DomainError } from "./domain-error.js";

export function requireModel(models: ModelRegistry, id: string): ModelSpec {
  const model = models.get(id);
  if (model) return model;
  const known = models
    .list()
    .map((m) => m.id)
    .join(", ");
  throw new DomainError(
    "model_unknown",
    `model "${id}" is not served here; known models: ${known}`,
    bodyField("/model", `unknown model; one of: ${known}`),
  );
}
