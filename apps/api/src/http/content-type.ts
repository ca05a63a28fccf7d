import type { RequestHandler } from "express";
import { HttpProblem } from "./problem.js";

/**
 * Requests that carry a body must say it is JSON. Anything else is refused before parsing,
 * so a form post or text body never reaches a handler as an empty object.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (hasBody && !req.is("application/json")) {
    next(new HttpProblem(415, "Unsupported media type", "send the body as application/json"));
    return;
  }
  next();
};
