import { readQueueCounts } from "@llm-chat/queue";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { requireAdmin } from "../http/auth.js";

/** Operator routes: admins only. The queue dashboard (bull-board) lives at /admin/queues. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use("/v1/admin", requireAdmin(deps.store.users));
  router.get("/v1/admin/queues", async (_req, res) => {
    res.json({ queues: await readQueueCounts(deps.producer) });
  });
  return router;
}
