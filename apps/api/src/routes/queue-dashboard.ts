import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Router } from "express";
import type { AppDeps } from "../deps.js";

export const QUEUE_DASHBOARD_PATH = "/admin/queues";

/** bull-board over the three queues; mounted behind authentication and the admin check. */
export function queueDashboard(deps: AppDeps): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: (["query", "webhook", "summary"] as const).map((name) => new BullMQAdapter(deps.producer.queue(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "llm-chat queues" } },
  });
  return adapter.getRouter() as Router;
}
