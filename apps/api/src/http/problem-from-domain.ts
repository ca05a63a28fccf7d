import type { DomainError, DomainErrorCode } from "../use-cases/domain-error.js";
import { HttpProblem } from "./problem.js";

/** The status and title each refusal is answered with; the title also names its problem type. */
const answers: Record<DomainErrorCode, readonly [status: number, title: string]> = {
  not_found: [404, "Not found"],
  conversation_not_found: [404, "Conversation not found"],
  invalid_input: [422, "Validation failed"],
  model_unknown: [422, "Unknown model"],
  model_mismatch: [422, "Model mismatch"],
  prompt_too_large: [422, "Prompt too large"],
  webhook_target_refused: [422, "Webhook URL refused"],
  query_finished: [409, "Query already finished"],
  too_many_open_queries: [429, "Too many open queries"],
  idempotency_key_reused: [422, "Idempotency key reused"],
  idempotency_in_progress: [409, "Request in progress"],
  idempotency_key_used: [409, "Idempotency key used"],
  email_taken: [409, "Email already registered"],
  unavailable: [503, "Service unavailable"],
};

/** The one translation of a use case's refusal into HTTP: the problem+json answer, headers included. */
export function problemFromDomain(error: DomainError): HttpProblem {
  const [status, title] = answers[error.code];
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { "Retry-After": String(error.retryAfterSeconds) };
  // A problem without field errors carries no `errors` member at all, not an empty list.
  const errors = error.fields.length > 0 ? [...error.fields] : undefined;
  return new HttpProblem(status, title, error.message, errors, headers);
}
