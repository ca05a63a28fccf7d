import { QueueName } from "@llm-chat/queue";
import { Router } from "express";
import type { AppDeps } from "../deps.js";

/** Operator routes (admins only; mounted behind requireAdmin). The queue dashboard joins them later. */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/queues", async (_req, res) => {
    const names = [QueueName.query, QueueName.webhook, QueueName.summary] as const;
    const counts = await Promise.all(
      names.map(async (name) => [
        name,
        await deps.producer.queue(name).getJobCounts("waiting", "active", "delayed", "failed", "completed"),
      ]),
    );
    res.json({ queues: Object.fromEntries(counts) });
  });
  return router;
}
