/**
 * Why a use case refused. The codes are stable: the HTTP layer answers each in its own
 * terms (http/problem-from-domain.ts, and OpenAI's envelope in openai/openai-error.ts).
 */
export const domainErrorCodes = [
  "not_found",
  "conversation_not_found",
  "invalid_input",
  "model_unknown",
  "model_mismatch",
  "prompt_too_large",
  "webhook_target_refused",
  "query_finished",
  "too_many_open_queries",
  "idempotency_key_reused",
  "idempotency_in_progress",
  "idempotency_key_used",
  "email_taken",
  "unavailable",
] as const;
export type DomainErrorCode = (typeof domainErrorCodes)[number];

/** The piece of the client's input a refusal is about, so the client can fix that one. */
export interface FieldIssue {
  in: "body" | "query" | "path" | "header";
  /** A JSON pointer into that part of the request, e.g. /params/maxTokens. */
  pointer: string;
  message: string;
}

/** A refusal meant for the client: `message` is said to it as it is. */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: readonly FieldIssue[] = [],
    /** Set when trying again later may succeed, and how soon that is worth it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("not_found", `${what} not found`);

/** A refusal about one field of the request body. */
export const bodyField = (pointer: string, message: string): FieldIssue[] => [{ in: "body", pointer, message }];
