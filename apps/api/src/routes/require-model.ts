import type { ModelRegistry, ModelSpec } from "@llm-chat/llm";
import { HttpProblem } from "../http/problem.js";

export function requireModel(models: ModelRegistry, id: string): ModelSpec {
  const model = models.get(id);
  if (model) return model;
  const known = models
    .list()
    .map((m) => m.id)
    .join(", ");
  throw new HttpProblem(422, "Unknown model", `model "${id}" is not served here; known models: ${known}`, [
    { in: "body", pointer: "/model", message: `unknown model; one of: ${known}` },
  ]);
}
