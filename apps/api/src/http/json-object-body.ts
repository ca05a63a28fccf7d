import type { RequestHandler } from "express";
import { HttpProblem } from "./problem.js";

/**
 * After express.json(): every JSON body this API takes is an object. The parser's strict
 * mode already refuses `"hi"`, `5` and `null` as malformed (400) but lets arrays through;
 * an array is refused here the same way, so every non-object body gets one answer rather
 * than 400 for some and a 422 validation problem for `[]`.
 */
export const requireJsonObject: RequestHandler = (req, _res, next) => {
  if (Array.isArray(req.body)) {
    next(new HttpProblem(400, "Malformed JSON", "the JSON body must be an object"));
    return;
  }
  next();
};
