import type { ResponseConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z
    .array(z.object({ in: z.enum(["body", "query", "path", "header"]), pointer: z.string(), message: z.string() }))
    .optional(),
});

/** Retry-After, on every answer that says when to try again. */
export const retryAfter = {
  "Retry-After": { description: "Seconds to wait before trying again", required: true, schema: { type: "string" } },
} as const;

/** A problem+json (RFC 9457) answer; `retry` when it always carries Retry-After. */
export const problemResponse = (description: string, retry = false): ResponseConfig => ({
  description,
  content: { "application/problem+json": { schema: problem } },
  ...(retry ? { headers: retryAfter } : {}),
});

/** What an operation may answer besides its own statuses, by what it takes. */
export interface Surface {
  /** Behind bearer authentication (and so the per-user rate limits and the auth-failure lockout). */
  secured: boolean;
  /** Takes a JSON request body. */
  body: boolean;
  /** Has a path id. */
  pathId: boolean;
}

/**
 * The statuses the app's middleware gives every route of a kind, in problem+json: body
 * parsing (400 not JSON or not an object, 413, 415, 422), authentication (401), the rate
 * limits (429) and a backing service that is down (503). A route's own answers win.
 */
export function surfaceResponses(surface: Surface): Record<number, ResponseConfig> {
  const responses: Record<number, ResponseConfig> = {};
  if (surface.body) {
    responses[400] = problemResponse("Malformed JSON, or a JSON body that is not an object");
    responses[413] = problemResponse("Request body too large");
    responses[415] = problemResponse("The body is not application/json, or its charset or encoding is not supported");
    responses[422] = problemResponse("Validation failed; `errors` names each field");
  }
  if (surface.secured) {
    responses[401] = problemResponse("Missing or invalid credentials");
    responses[429] = problemResponse("Rate limited, or too many failed authentications from this address", true);
  }
  if (surface.pathId) responses[404] = problemResponse("Not found (or not yours)");
  responses[503] = problemResponse("A backing service (Redis, MongoDB) is unreachable", true);
  return responses;
}
