import type { Logger } from "@llm-chat/runtime";
import type { ErrorRequestHandler, Response } from "express";
import type { z } from "zod";
import { HttpProblem, isBackendUnavailable } from "../http/problem.js";
import { problemFromDomain } from "../http/problem-from-domain.js";
import { DomainError, type DomainErrorCode } from "../use-cases/domain-error.js";

/** OpenAI's error envelope: `{error: {message, type, param, code}}`, on the OpenAI routes only. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidParam = (param: string | null, message: string, code: string | null = null) =>
  new OpenAiError(400, message, "invalid_request_error", param, code);

/** The routes that answer in OpenAI's shapes, errors included. */
export const isOpenAiPath = (path: string) => path === "/v1/chat/completions" || /^\/v1\/responses(\/|$)/.test(path);

/** A zod path as OpenAI names parameters: messages[0].content. */
export function paramOf(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

export function fromZodError(error: z.ZodError): OpenAiError {
  const [issue] = error.issues;
  if (!issue) return invalidParam(null, "invalid request");
  if (issue.code === "unrecognized_keys") {
    const param = paramOf([...issue.path, issue.keys[0] ?? ""]);
    return invalidParam(param, `Unrecognized request argument supplied: ${param}`, "unknown_parameter");
  }
  const param = paramOf(issue.path);
  return invalidParam(param || null, param ? `Invalid '${param}': ${issue.message}` : issue.message);
}

/** A JSON pointer's segments, array indexes as numbers: /messages/1/content → messages[1].content. */
const pointerPath = (pointer: string): PropertyKey[] =>
  pointer
    .slice(1)
    .split("/")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replaceAll("~1", "/").replaceAll("~0", "~")));

/** The OpenAI parameter a problem's first field error is about; `params` overrides the pointer's own path. */
function paramOfProblem(problem: HttpProblem, params: Record<string, string>): string | null {
  const pointer = problem.errors?.[0]?.pointer;
  return pointer ? (params[pointer] ?? paramOf(pointerPath(pointer))) : null;
}

/**
 * llm-chat's problems in OpenAI's terms. `params` names the OpenAI parameter behind a
 * field of llm-chat's own request (e.g. /prompt is the last message). A field error is a
 * 400, as OpenAI answers them.
 */
export function fromProblem(problem: HttpProblem, params: Record<string, string> = {}): OpenAiError {
  const param = paramOfProblem(problem, params);
  const message = problem.detail ?? problem.title;
  const { status, headers } = problem;
  if (status === 401) return new OpenAiError(401, message, "invalid_request_error", null, "invalid_api_key", headers);
  if (status === 422 || status === 400) return invalidParam(param, message);
  if (status === 429) return new OpenAiError(429, message, "requests", null, "rate_limit_exceeded", headers);
  if (status === 404) return new OpenAiError(404, message, "invalid_request_error", param, "not_found");
  if (status >= 500) return new OpenAiError(status, message, "server_error", null, null, headers);
  return new OpenAiError(status, message, "invalid_request_error", param, null, headers);
}

/** Refusals OpenAI has a status and code of its own for. */
const openAiCodes: Partial<Record<DomainErrorCode, readonly [status: number, code: string]>> = {
  model_unknown: [404, "model_not_found"],
  prompt_too_large: [400, "context_length_exceeded"],
};

/**
 * A use case's refusal in OpenAI's terms: its problem+json answer converted, so both
 * envelopes say the same, except where OpenAI has a code of its own. `params` as for fromProblem.
 */
export function fromDomainError(error: DomainError, params: Record<string, string> = {}): OpenAiError {
  const problem = problemFromDomain(error);
  const own = openAiCodes[error.code];
  if (!own) return fromProblem(problem, params);
  return new OpenAiError(own[0], error.message, "invalid_request_error", paramOfProblem(problem, params), own[1]);
}

/** body-parser's failures, by its error type. */
const parserErrors: Record<string, [number, string]> = {
  "entity.parse.failed": [400, "We could not parse the JSON body of your request."],
  "entity.too.large": [413, "The request body is too large."],
  "encoding.unsupported": [415, "Unsupported content encoding."],
  "charset.unsupported": [415, "Unsupported charset."],
};

export function toOpenAiError(error: unknown): OpenAiError | null {
  if (error instanceof OpenAiError) return error;
  if (error instanceof HttpProblem) return fromProblem(error);
  if (error instanceof DomainError) return fromDomainError(error);
  const kind = typeof error === "object" && error !== null && "type" in error ? String(error.type) : "";
  const parsed = parserErrors[kind];
  if (parsed) return new OpenAiError(parsed[0], parsed[1], "invalid_request_error");
  if (isBackendUnavailable(error)) {
    return new OpenAiError(503, "A backing service is unreachable; try again shortly.", "server_error", null, null, {
      "Retry-After": "5",
    });
  }
  return null;
}

export function sendOpenAiError(res: Response, error: OpenAiError): void {
  res.status(error.status).set(error.headers).json(error.body);
}

/** Errors on the OpenAI routes (auth, limits and body parsing included) in OpenAI's envelope. */
export function openAiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (!isOpenAiPath(req.path)) return next(error);
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const mapped = toOpenAiError(error);
    if (mapped) return sendOpenAiError(res, mapped);
    // Internal details stay in the log.
    logger.error({ err: error, method: req.method, url: req.originalUrl }, "unhandled error");
    sendOpenAiError(res, new OpenAiError(500, "The server had an error processing your request.", "server_error"));
  };
}
