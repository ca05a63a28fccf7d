import type { Problem } from "@llm-chat/contracts";
import type { RequestHandler, Response } from "express";
import type { z } from "zod";

type FieldError = NonNullable<Problem["errors"]>[number];

/**
 * An HTTP-level refusal (parsing, content type, method, credentials, limits) meant for the
 * client: it becomes a problem+json response as it is. Use cases refuse with a DomainError
 * instead, answered through http/problem-from-domain.ts.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

/** Stable, dereference-free problem type URIs derived from the title, e.g. urn:llm-chat:problem:not-found. */
export const problemType = (title: string) =>
  `urn:llm-chat:problem:${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}`;

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type("application/problem+json").json(problem);
}

export function fromZodError(location: FieldError["in"], error: z.ZodError): HttpProblem {
  const pointer = (path: readonly PropertyKey[]) => `/${path.map(String).join("/")}`;
  // An unknown key is reported on its parent by zod; point at the key itself instead.
  const errors: FieldError[] = error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ in: location, pointer: pointer([...issue.path, key]), message: "unknown field" }))
      : [{ in: location, pointer: pointer(issue.path), message: issue.message }],
  );
  const fields = [...new Set(errors.map((e) => (e.pointer === "/" ? location : e.pointer.slice(1))))].join(", ");
  return new HttpProblem(422, "Validation failed", `invalid ${location}: ${fields}`, errors);
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, "Not found", `no route for ${req.method} ${req.path}`));
};

const unavailableNames = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoTopologyClosedError",
  "MongoOperationTimeoutError",
  "MaxRetriesPerRequestError",
]);

/** Redis or MongoDB being away is the service's problem, not a bug: 503 with Retry-After, not 500. */
export function isBackendUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (unavailableNames.has(error.name)) return true;
  // ioredis with the offline queue off rejects commands with this message while disconnected.
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(error.message);
}
