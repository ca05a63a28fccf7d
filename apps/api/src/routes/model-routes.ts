import type { ModelInfo } from "@llm-chat/contracts";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

export function modelRoutes(deps: AppDeps): Router {
  const router = Router();
  // OpenAI's `created`: models come from configuration, so the time this process loaded it.
  const created = Math.floor(Date.now() / 1000);
  router.get("/v1/models", (_req, res) => {
    // Server addresses and key names stay private: they say nothing a client can use.
    const data: ModelInfo[] = deps.models.list().map((m) => ({
      id: m.id,
      object: "model",
      created,
      owned_by: m.provider,
      provider: m.provider,
      providerModel: m.providerModel,
      contextWindow: m.contextWindow,
      template: m.template,
      defaultMaxTokens: m.defaultMaxTokens,
      maxMaxTokens: m.maxMaxTokens,
    }));
    res.json({ object: "list", data });
  });
  return router;
}
