import { type Request, type RequestHandler, Router } from "express";

const chargedAsSubmit = new WeakSet<Request>();

/**
 * Mounted after authentication, before the routes. The submit limiter is declared with the same
 * method and path as the submit route (`POST /v1/queries`), on a router with Express's default
 * matching, so every request the submit handler would take is charged to the submit bucket;
 * every other `/v1` request is charged to the read bucket.
 */
export function limitedRoutes(limits: { submit: RequestHandler; read: RequestHandler }): Router {
  const router = Router();
  router.post("/v1/queries", (req, res, next) => {
    chargedAsSubmit.add(req);
    return limits.submit(req, res, next);
  });
  router.use("/v1", (req, res, next) => (chargedAsSubmit.has(req) ? next() : limits.read(req, res, next)));
  return router;
}
