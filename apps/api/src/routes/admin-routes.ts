import { readQueueCounts } from "@llm-chat/queue";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

/** Operator routes (admins only; mounted behind requireAdmin). The queue dashboard joins them later. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/queues", async (_req, res) => {
    res.json({ queues: await readQueueCounts(deps.producer) });
  });
  return router;
}
