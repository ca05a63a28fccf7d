import type { Problem } from "@llm-chat/contracts";
import { ApiError, apiErrorFor, NetworkError } from "./errors.js";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What every request needs: where the API is and who is asking. */
export interface Transport {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: FetchLike;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface RequestOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeout (a `Prefer: wait` submit needs longer). */
  timeoutMs?: number;
}

export function buildUrl(transport: Transport, path: string, query: RequestOptions["query"] = {}): string {
  const url = new URL(path, `${transport.baseUrl.replace(/\/+$/, "")}/`);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}

export function authHeaders(transport: Transport): Record<string, string> {
  return transport.apiKey ? { ...transport.headers, authorization: `Bearer ${transport.apiKey}` } : transport.headers;
}

/** Joins the caller's signal (if any) with a timeout; either one aborts the request. */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * A caller's own abort is passed on as it is (that is what fetch users expect); anything
 * else that kept the request from completing is a NetworkError.
 */
export function networkFailure(url: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  return new NetworkError(url, error);
}

function retryAfter(headers: Headers): number | null {
  const value = headers.get("retry-after");
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Turns an error response into the matching ApiError, problem+json or not (a proxy's HTML 502). */
export async function errorFromResponse(response: Response): Promise<Error> {
  const text = await response.text().catch(() => "");
  let problem: Problem = {
    type: "about:blank",
    title: response.statusText || "HTTP error",
    status: response.status,
    ...(text && !text.trimStart().startsWith("<") ? { detail: text.slice(0, 500) } : {}),
  };
  if (/json/.test(response.headers.get("content-type") ?? "")) {
    try {
      const body = JSON.parse(text) as Partial<Problem>;
      if (typeof body.title === "string") problem = { ...problem, ...body, status: response.status };
    } catch {
      // Not JSON after all: keep the generic problem built from the status line.
    }
  }
  return apiErrorFor(problem, retryAfter(response.headers));
}

export interface JsonResponse<T> {
  data: T;
  response: Response;
}

/** One JSON request: resolves with the parsed body, rejects with ApiError or NetworkError. */
export async function request<T>(
  transport: Transport,
  path: string,
  options: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const url = buildUrl(transport, path, options.query);
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders(transport), ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const signal = withTimeout(options.signal, options.timeoutMs ?? transport.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await transport.fetch(url, { method: options.method ?? "GET", headers, body, signal });
    if (!response.ok) throw await errorFromResponse(response);
    text = await response.text();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw networkFailure(url, error, options.signal);
  }
  return { data: (text.length > 0 ? JSON.parse(text) : undefined) as T, response };
}
