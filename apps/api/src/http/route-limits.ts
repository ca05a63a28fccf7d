import { type Request, type RequestHandler, Router } from "express";

const chargedAsSubmit = new WeakSet<Request>();

/** Every route that submits a query: the native one and the OpenAI-compatible ones. */
const submitRoutes = ["/v1/queries", "/v1/chat/completions", "/v1/responses"];

/**
 * Mounted after authentication, before the routes. The submit limiter is declared with the same
 * method and paths as the submit routes (`POST /v1/queries` and the OpenAI-compatible ones), on a router with Express's default
 * matching, so every request the submit handler would take is charged to the submit bucket;
 * every other `/v1` request is charged to the read bucket.
 */
export function limitedRoutes(limits: { submit: RequestHandler; read: RequestHandler }): Router {
  const router = Router();
  router.post(submitRoutes, (req, res, next) => {
    chargedAsSubmit.add(req);
    return limits.submit(req, res, next);
  });
  router.use("/v1", (req, res, next) => (chargedAsSubmit.has(req) ? next() : limits.read(req, res, next)));
  return router;
}
