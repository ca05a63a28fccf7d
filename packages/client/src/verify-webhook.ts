import { WebhookVerificationError as StandardWebhookError, Webhook } from "standardwebhooks";
import { WebhookVerificationError } from "./errors.js";
import type { WebhookPayload } from "./types.js";

/** Node's IncomingHttpHeaders, a fetch Headers object, or a plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function plainHeaders(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, string | string[] | undefined]> =
    typeof Headers !== "undefined" && headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    // Header names are case-insensitive; standardwebhooks looks them up in lower case.
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * Checks a webhook delivery's `webhook-id`, `webhook-timestamp` (within 5 minutes) and
 * `webhook-signature` against your signing secret (`whsec_…`, from GET /v1/webhook-secret),
 * and returns the parsed payload. Pass the body exactly as received: re-serialised JSON
 * will not match the signature. Throws WebhookVerificationError when anything is off.
 */
export function verifyWebhook(headers: WebhookHeaders, body: string | Uint8Array, secret: string): WebhookPayload {
  const payload = typeof body === "string" ? body : new TextDecoder().decode(body);
  try {
    return new Webhook(secret).verify(payload, plainHeaders(headers)) as WebhookPayload;
  } catch (error) {
    // Anything else (a secret that is not base64, a body that is not JSON) cannot be trusted either.
    const message =
      error instanceof StandardWebhookError
        ? error.message
        : `cannot verify: ${error instanceof Error ? error.message : String(error)}`;
    throw new WebhookVerificationError(message, { cause: error });
  }
}
