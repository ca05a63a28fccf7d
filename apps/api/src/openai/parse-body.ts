import type { Request } from "express";
import type { z } from "zod";
import { fromZodError, invalidParam } from "./openai-error.js";

/** The request body by `schema`, or a 400 naming the first parameter that is wrong. */
export function parseOpenAiBody<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  // express.json() leaves the body undefined when there was none.
  if (req.body === undefined) throw invalidParam(null, "a JSON body is required");
  const result = schema.safeParse(req.body);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}
