import type { QueryErrorCode } from "@llm-chat/contracts";
import type { QueryDoc } from "@llm-chat/store";
import { OpenAiError } from "./openai-error.js";

interface Mapped {
  status: number;
  type: string;
  /** The code a Responses object's `error` carries (OpenAI's own list). */
  responseCode: string;
  /** Whether the OpenAI SDKs should try again (they honour `x-should-retry`). */
  retry: boolean;
}

const server = (status: number, retry: boolean): Mapped => ({
  status,
  type: "server_error",
  responseCode: "server_error",
  retry,
});

const byCode: Record<QueryErrorCode, Mapped> = {
  model_failed: server(500, false),
  model_canceled: server(500, false),
  provider_rejected: { status: 400, type: "invalid_request_error", responseCode: "invalid_prompt", retry: false },
  provider_rate_limited: { status: 429, type: "requests", responseCode: "rate_limit_exceeded", retry: true },
  provider_unavailable: server(503, true),
  provider_malformed_response: server(502, true),
  invalid_job: server(500, false),
  timeout: server(504, true),
  internal: server(500, false),
};

// `cancelled` is OpenAI's error code, spelled its way; our own words say "canceled".
const canceled: Mapped = { status: 409, type: "invalid_request_error", responseCode: "cancelled", retry: false };

function mapped(query: QueryDoc): { map: Mapped; code: string; message: string } {
  if (query.status === "canceled") return { map: canceled, code: "cancelled", message: "the request was canceled" };
  const code = query.error?.code ?? "internal";
  return { map: byCode[code], code, message: query.error?.message ?? "the model run failed" };
}

/** A failed or canceled query as the error a Chat Completions caller gets; `code` is llm-chat's. */
export function chatFailure(query: QueryDoc): OpenAiError {
  const { map, code, message } = mapped(query);
  return new OpenAiError(map.status, message, map.type, null, code, { "x-should-retry": String(map.retry) });
}

/** The `error` of a failed Responses object, with OpenAI's code and llm-chat's in the message. */
export function responseError(query: QueryDoc): { code: string; message: string } | null {
  if (query.status !== "failed") return null;
  const { map, code, message } = mapped(query);
  return { code: map.responseCode, message: `${message} (${code})` };
}
