import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";

export function webhookSecretRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/v1/webhook-secret", async (req, res) => {
    const { userId } = principal(req);
    res.set("Cache-Control", "no-store").json({ secret: await deps.store.users.webhookSecret(userId) });
  });
  router.post("/v1/webhook-secret/rotate", async (req, res) => {
    const { userId } = principal(req);
    res.set("Cache-Control", "no-store").json({ secret: await deps.store.users.rotateWebhookSecret(userId) });
  });
  return router;
}
