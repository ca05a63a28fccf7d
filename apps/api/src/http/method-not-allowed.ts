import type { Express, RequestHandler } from "express";
import { HttpProblem } from "./problem.js";
import { routeTable, type ServedRoute } from "./route-table.js";

/**
 * A path that some route serves, asked with a method none of them takes, is 405 with
 * `Allow` (RFC 9110 §15.5.6), not "no such path". The allowed methods come from Express's
 * route table, read at the first request (every route is added by then, though this is
 * mounted before them), and matched with Express's own matchers: no list is kept by hand.
 * Express answers HEAD with a GET route, so HEAD is allowed wherever GET is. The error goes
 * on to the error handlers: problem+json, or OpenAI's envelope on the OpenAI routes.
 */
export function methodNotAllowed(app: Express): RequestHandler {
  let routes: ServedRoute[] | null = null;
  return (req, _res, next) => {
    routes ??= routeTable(app);
    const allowed = new Set(routes.filter((route) => route.matches(req.path)).flatMap((route) => route.methods));
    if (allowed.has("GET")) allowed.add("HEAD");
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(", ");
    next(
      new HttpProblem(
        405,
        "Method not allowed",
        `${req.method} is not allowed on ${req.path}; allowed: ${allow}`,
        undefined,
        {
          Allow: allow,
        },
      ),
    );
  };
}
