import type { ModelInfo } from "@llm-chat/contracts";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

export function modelRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/v1/models", (_req, res) => {
    const data: ModelInfo[] = deps.models.list().map(({ id, provider, providerModel, contextWindow, template }) => ({
      id,
      provider,
      providerModel,
      contextWindow,
      template,
    }));
    res.json({ data });
  });
  return router;
}
