import { Router } from "express";
import type { AppDeps } from "../deps.js";

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);

async function check(run: () => Promise<unknown>): Promise<"ok" | "down"> {
  try {
    await withTimeout(run(), 1000);
    return "ok";
  } catch {
    return "down";
  }
}

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const [redis, mongo] = await Promise.all([
      check(() => deps.redis.ping()),
      check(() => deps.store.mongo.ping(1000)),
    ]);
    const shuttingDown = deps.isShuttingDown();
    const ready = redis === "ok" && mongo === "ok" && !shuttingDown;
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", redis, mongo, shuttingDown });
  });
  return router;
}
