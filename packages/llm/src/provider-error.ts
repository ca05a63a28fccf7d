/**
 * How a provider failure should be handled. `transient` failures (429, 5xx, network)
 * are worth retrying; `rejected` (other 4xx, malformed responses) and `model_failed`
 * (the prediction itself failed) never get better by retrying.
 */
export type ProviderErrorKind = "transient" | "rejected" | "model_failed" | "model_canceled";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

interface HttpLikeError {
  name: string;
  message: string;
  response: { status: number };
}

function isHttpError(error: unknown): error is HttpLikeError {
  if (typeof error !== "object" || error === null || !("response" in error)) return false;
  const response = (error as { response: unknown }).response;
  return (
    typeof response === "object" && response !== null && typeof (response as { status?: unknown }).status === "number"
  );
}

/** Turns whatever the client threw into a ProviderError; abort errors pass through untouched. */
export function classifyProviderError(error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) return error;
  if (isHttpError(error)) {
    const status = error.response.status;
    const kind = status === 429 || status >= 500 || status === 408 ? "transient" : "rejected";
    // The client's message includes the response body; keep it short and free of our request.
    return new ProviderError(kind, `provider answered HTTP ${status}`, status);
  }
  // fetch() network failures (refused, reset, DNS) surface as TypeError.
  if (error instanceof TypeError || (error instanceof Error && /ECONN|ETIMEDOUT|socket|network/i.test(error.message))) {
    return new ProviderError("transient", `provider unreachable: ${error.message}`);
  }
  return error;
}
