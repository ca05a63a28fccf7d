import type { Problem, Query } from "@llm-chat/contracts";

/** One bad field of a rejected request; `pointer` is a JSON pointer such as `/params/temperature`. */
export type FieldError = NonNullable<Problem["errors"]>[number];

/** The base of every error this client throws, so callers can catch them all at once. */
export class LlmChatError extends Error {
  override readonly name: string = "LlmChatError";
}

/**
 * The API answered with an error status. Carries the RFC 9457 problem+json body as it came,
 * so nothing the server said is lost, plus the fields most callers branch on.
 */
export class ApiError extends LlmChatError {
  override readonly name: string = "ApiError";
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  /** Validation failures, one per bad field; empty when the server named none. */
  readonly errors: FieldError[];
  readonly problem: Problem;
  /** Seconds the server asked to wait before retrying (`Retry-After`), when it said. */
  readonly retryAfterSeconds: number | null;

  constructor(problem: Problem, retryAfterSeconds: number | null = null) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.errors = problem.errors ?? [];
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The error reported for one field, by JSON pointer (`/prompt`) or bare name (`prompt`). */
  fieldError(field: string): FieldError | undefined {
    const pointer = field.startsWith("/") ? field : `/${field}`;
    return this.errors.find((e) => e.pointer === pointer);
  }
}

/** 400: the request could not be read (malformed JSON, bad encoding). */
export class BadRequestError extends ApiError {
  override readonly name: string = "BadRequestError";
}
/** 401: the API key or access token is missing, wrong, revoked or expired. */
export class AuthenticationError extends ApiError {
  override readonly name: string = "AuthenticationError";
}
/** 403: authenticated, but not allowed (operator routes). */
export class PermissionDeniedError extends ApiError {
  override readonly name: string = "PermissionDeniedError";
}
/** 404: not there, or not yours; the API does not tell the two apart. */
export class NotFoundError extends ApiError {
  override readonly name: string = "NotFoundError";
}
/** 409: the request conflicts with the resource's state (e.g. canceling a finished query). */
export class ConflictError extends ApiError {
  override readonly name: string = "ConflictError";
}
/** 422: the body or query string broke the schema; `errors` names each field. */
export class ValidationError extends ApiError {
  override readonly name: string = "ValidationError";
}
/** 429: a rate or open-query limit; see `retryAfterSeconds`. */
export class RateLimitError extends ApiError {
  override readonly name: string = "RateLimitError";
}
/** 5xx: the server or one of its stores failed; usually worth retrying later. */
export class ServerError extends ApiError {
  override readonly name: string = "ServerError";
}

const byStatus: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

/** The most specific ApiError subclass for a status. */
export function apiErrorFor(problem: Problem, retryAfterSeconds: number | null = null): ApiError {
  const Class = byStatus[problem.status] ?? (problem.status >= 500 ? ServerError : ApiError);
  return new Class(problem, retryAfterSeconds);
}

/**
 * The API could not be reached or the connection broke (DNS, refused, reset, timeout).
 * The request may or may not have been processed.
 */
export class NetworkError extends LlmChatError {
  override readonly name: string = "NetworkError";
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`cannot reach ${url}: ${describeCause(cause)}`, { cause });
    this.url = url;
  }
}

/** `wait` gave up before the query finished; the query goes on and can be waited for again. */
export class WaitTimeoutError extends LlmChatError {
  override readonly name: string = "WaitTimeoutError";
  /** The query as last seen. */
  readonly query: Query;

  constructor(query: Query, timeoutMs: number) {
    super(`query ${query.id} still ${query.status} after ${timeoutMs} ms`);
    this.query = query;
  }
}

/** A webhook's signature, timestamp or body did not check out: do not trust the payload. */
export class WebhookVerificationError extends LlmChatError {
  override readonly name: string = "WebhookVerificationError";
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND) one `cause` down. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner: unknown = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === "string" ? `${code} (${inner.message})` : inner.message;
  }
  return cause.message;
}
