/**
 * OpenAI's error body, `{"error":{"message","type","param","code"}}`, which
 * the official client turns into BadRequestError, RateLimitError and so on
 * by status, exposing `type`, `param` and `code` on the error.
 */
import type { ServerResponse } from "node:http";
import { sendJson } from "../shared/http-json.js";

export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function sendOpenAIError(
  res: ServerResponse,
  status: number,
  error: OpenAIErrorBody,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error }, headers);
}

/** A 500: the server failed, in OpenAI's vocabulary. */
export function serverError(message: string): OpenAIErrorBody {
  return { message, type: "server_error", param: null, code: null };
}

/** A 400-class problem with the request itself, in OpenAI's vocabulary. */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { message, type: "invalid_request_error", param, code };
}
