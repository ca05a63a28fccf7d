import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { type RequestHandler, Router } from "express";
import type { AppDeps } from "../deps.js";
import { HttpProblem } from "../http/problem.js";

export const QUEUE_DASHBOARD_PATH = "/admin/queues";

const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * bull-board's own read-only mode hides the buttons; this refuses every changing request
 * outright, whatever bull-board's routes are, so a read-only board stays read-only even if a
 * later version adds an action that forgets the mode.
 */
const refuseWrites: RequestHandler = (req, _res, next) => {
  if (READ_METHODS.has(req.method)) return next();
  throw new HttpProblem(403, "Forbidden", "the queue dashboard is read-only (QUEUE_DASHBOARD_WRITES=false)");
};

/** bull-board over the three queues; mounted behind authentication and the admin check. */
export function queueDashboard(deps: AppDeps): Router {
  const writable = deps.config.queueDashboardWrites;
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: (["query", "webhook", "summary"] as const).map(
      (name) => new BullMQAdapter(deps.producer.queue(name), { readOnlyMode: !writable }),
    ),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "llm-chat queues" } },
  });
  const router = Router();
  if (!writable) router.use(refuseWrites);
  router.use(adapter.getRouter() as Router);
  return router;
}
