import type { Request } from "express";
import type { z } from "zod";
import { fromZodError, HttpProblem } from "./problem.js";

export function parseBody<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  // express.json() leaves the body undefined when there was none or it was not JSON.
  if (req.body === undefined) throw new HttpProblem(422, "Validation failed", "a JSON body is required");
  const result = schema.safeParse(req.body);
  if (!result.success) throw fromZodError("body", result.error);
  return result.data;
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw fromZodError("query", result.error);
  return result.data;
}

/** A path id of the wrong shape cannot name anything, so it is simply not found. */
export function parseId<S extends z.ZodType<string>>(req: Request, name: string, schema: S, what: string): string {
  const raw = req.params[name];
  const result = schema.safeParse(raw);
  if (!result.success) throw new HttpProblem(404, "Not found", `${what} not found`);
  return result.data;
}
