/**
 * What a provider failure means for the query. `rate_limited` and `unavailable` are worth
 * retrying (the first no sooner than `retryAfterMs`); the rest never get better by retrying.
 */
export type ProviderErrorKind =
  | "rate_limited"
  | "unavailable"
  | "rejected"
  | "malformed"
  | "model_failed"
  | "model_canceled"
  | "deadline";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "ProviderError";
  }

  get transient(): boolean {
    return this.kind === "rate_limited" || this.kind === "unavailable";
  }
}

interface HttpLikeError {
  status: number;
  headers: { get(name: string): string | null } | Record<string, string | undefined> | undefined;
}

/** The status and headers of an HTTP error from either official client (replicate: `.response`; openai: own fields). */
function httpParts(error: unknown): HttpLikeError | null {
  if (typeof error !== "object" || error === null) return null;
  const source: Record<string, unknown> =
    "response" in error && typeof error.response === "object" && error.response !== null
      ? (error.response as Record<string, unknown>)
      : (error as Record<string, unknown>);
  return typeof source.status === "number"
    ? { status: source.status, headers: source.headers as HttpLikeError["headers"] }
    : null;
}

export function retryAfterFrom(headers: HttpLikeError["headers"]): number | null {
  if (!headers) return null;
  const value =
    typeof (headers as { get?: unknown }).get === "function"
      ? (headers as { get(name: string): string | null }).get("retry-after")
      : (headers as Record<string, string | undefined>)["retry-after"];
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Turns whatever a client threw into a ProviderError; abort errors pass through untouched. */
export function classifyProviderError(error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) return error;
  const http = httpParts(error);
  if (http) {
    const { status } = http;
    // The client's message echoes the response body; keep ours short and free of the request.
    if (status === 429)
      return new ProviderError("rate_limited", "provider answered HTTP 429", status, retryAfterFrom(http.headers));
    if (status >= 500 || status === 408)
      return new ProviderError("unavailable", `provider answered HTTP ${status}`, status);
    return new ProviderError("rejected", `provider answered HTTP ${status}`, status);
  }
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  // fetch() network failures surface as TypeError; the openai client wraps them in APIConnection*Error.
  if (
    error instanceof TypeError ||
    /APIConnection|Connection/.test(name) ||
    /ECONN|ETIMEDOUT|EPIPE|socket|network|terminated/i.test(message)
  ) {
    return new ProviderError("unavailable", `provider unreachable: ${message.slice(0, 200)}`);
  }
  if (error instanceof SyntaxError)
    return new ProviderError("malformed", "provider sent a response that does not parse");
  return error;
}
