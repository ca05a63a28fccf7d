import {
  conversationIdSchema,
  pageQuerySchema,
  queryIdSchema,
  queryStatusSchema,
  submitQueryBodySchema,
} from "@llm-chat/contracts";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { presentQuery } from "../http/present.js";
import { notFound } from "../http/problem.js";
import { parseBody, parseId, parseQuery } from "../http/validate.js";
import { submitQuery } from "../submit-query.js";
import { cursorId, toPage } from "./pagination.js";

const listQuerySchema = pageQuerySchema.extend({
  conversationId: conversationIdSchema.optional(),
  status: queryStatusSchema.optional(),
});

export function queryRoutes(deps: AppDeps): Router {
  const router = Router();
  const base = deps.config.publicUrl;

  router.post("/v1/queries", async (req, res) => {
    const { userId } = principal(req);
    const body = parseBody(req, submitQueryBodySchema);
    const query = await submitQuery(deps, userId, body);
    const view = presentQuery(query, base);
    res.status(202).location(view.urls.get).json(view);
  });

  router.get("/v1/queries", async (req, res) => {
    const { userId } = principal(req);
    const q = parseQuery(req, listQuerySchema);
    const docs = await deps.store.queries.listForUser(
      userId,
      { conversationId: q.conversationId, status: q.status },
      q.limit + 1,
      cursorId(q),
    );
    res.json(toPage(docs, q.limit, (doc) => presentQuery(doc, base)));
  });

  router.get("/v1/queries/:id", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", queryIdSchema, "query");
    const doc = await deps.store.queries.findForUser(id, userId);
    if (!doc) throw notFound("query");
    res.json(presentQuery(doc, base));
  });

  return router;
}
