import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { chatRoutes } from "./chat-routes.js";
import { createQueryPort } from "./query-port.js";
import { responsesRoutes } from "./responses-routes.js";

/** The OpenAI-compatible surface: Chat Completions and Responses, on the same queue as /v1/queries. */
export function openAiRoutes(deps: AppDeps): Router {
  const port = createQueryPort(deps);
  const router = Router();
  router.use(chatRoutes(deps, port));
  router.use(responsesRoutes(deps, port));
  return router;
}

/** The OpenAI routes that submit a query: they count against the submit rate limit. */
