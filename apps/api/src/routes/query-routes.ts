import {
  conversationIdSchema,
  isFinal,
  pageQuerySchema,
  queryIdSchema,
  queryStatusSchema,
  submitQueryBodySchema,
} from "@llm-chat/contracts";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { readIdempotencyKey } from "../http/idempotency-key.js";
import { presentDelivery, presentQuery } from "../http/present.js";
import { parseBody, parseId, parseQuery } from "../http/validate.js";
import { readWaitPreference } from "../http/wait-preference.js";
import { cancelQuery } from "../use-cases/cancel-query.js";
import { notFound } from "../use-cases/domain-error.js";
import { once } from "../use-cases/idempotency.js";
import { submitQuery } from "../use-cases/submit-query.js";
import { waitForDone } from "../use-cases/wait-for-query.js";
import { cursorId, toPage } from "./pagination.js";
import { queryStream } from "./query-stream.js";

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
    const key = readIdempotencyKey(req.header("idempotency-key"));
    const waitSeconds = readWaitPreference(req.header("prefer"));
    const submit = (queryId?: string) => submitQuery(deps, userId, body, { id: queryId });
    const { query, replayed } = key
      ? await once(deps, userId, key, req.body, submit)
      : { query: await submit(), replayed: false };

    let current = query;
    if (waitSeconds !== null) {
      res.set("Preference-Applied", `wait=${waitSeconds}`);
      const gone = new AbortController();
      res.on("close", () => gone.abort());
      if (await waitForDone(deps, query._id, waitSeconds * 1000, gone.signal)) {
        current = (await deps.lifecycle.read(query._id, userId)) ?? query;
      }
    }
    const view = presentQuery(current, base);
    if (replayed) res.set("Idempotent-Replayed", "true");
    const finished = isFinal(current.status);
    // 200 with the finished query, or 202 while it is still on its way (a replay is 200).
    res
      .status(finished || replayed ? 200 : 202)
      .location(view.urls.get)
      .json(view);
  });

  router.post("/v1/queries/:id/cancel", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", queryIdSchema, "query");
    res.json(presentQuery(await cancelQuery(deps, id, userId), base));
  });

  router.get("/v1/queries/:id/events", queryStream(deps));

  router.get("/v1/queries/:id/deliveries", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", queryIdSchema, "query");
    const doc = await deps.lifecycle.read(id, userId);
    if (!doc) throw notFound("query");
    const deliveries = await deps.store.webhooks.listDeliveries(id, userId);
    res.json({ data: deliveries.map(presentDelivery) });
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
    res.json(toPage(await deps.lifecycle.overlay(docs), q.limit, (doc) => presentQuery(doc, base)));
  });

  router.get("/v1/queries/:id", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", queryIdSchema, "query");
    // Open queries are answered from their live state in Redis, never from the store.
    const doc = await deps.lifecycle.read(id, userId);
    if (!doc) throw notFound("query");
    res.json(presentQuery(doc, base));
  });

  return router;
}
