import type { QueryErrorCode } from "@llm-chat/contracts";
import { CircuitOpenError, ProviderError } from "@llm-chat/llm";

export class QueryTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the query did not finish within its deadline of ${timeoutMs} ms`);
    this.name = "QueryTimeoutError";
  }
}

export interface Verdict {
  /** Retrying cannot help: fail the query now. */
  permanent: boolean;
  code: QueryErrorCode;
  message: string;
}

/** Decides what a failed attempt means for the query. Unknown errors are assumed transient. */
export function judge(error: unknown): Verdict {
  if (error instanceof QueryTimeoutError) return { permanent: true, code: "timeout", message: error.message };
  // Callers that can wait for the breaker do so; for the rest it is an outage like any other.
  if (error instanceof CircuitOpenError)
    return { permanent: false, code: "provider_unavailable", message: "the model's provider is unavailable" };
  if (error instanceof ProviderError) {
    switch (error.kind) {
      case "model_failed":
        return { permanent: true, code: "model_failed", message: error.message };
      case "model_canceled":
        return { permanent: true, code: "model_canceled", message: error.message };
      case "deadline":
        return { permanent: true, code: "timeout", message: error.message };
      case "rejected":
        return { permanent: true, code: "provider_rejected", message: error.message };
      case "malformed":
        return { permanent: true, code: "provider_malformed_response", message: error.message };
      case "rate_limited":
        return { permanent: false, code: "provider_rate_limited", message: error.message };
      case "unavailable":
        return { permanent: false, code: "provider_unavailable", message: error.message };
    }
  }
  // Database or Redis hiccups: worth another attempt, but never leak their text to clients.
  return { permanent: false, code: "internal", message: "the query could not be completed" };
}
