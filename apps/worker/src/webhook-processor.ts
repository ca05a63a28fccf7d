import { webhookJobSchema } from "@llm-chat/contracts";
import type { WebhookGate } from "@llm-chat/events";
import type { Logger, Metrics } from "@llm-chat/runtime";
import type { Store, WebhookEventDoc } from "@llm-chat/store";
import { checkWebhookTarget, parseWebhookUrl } from "@llm-chat/webhooks";
import { type Job, UnrecoverableError } from "bullmq";
import { Webhook } from "standardwebhooks";
import { type Dispatcher, request } from "undici";

export interface WebhookProcessorDeps {
  store: Store;
  /** Frees a delivery's waiting place (per user, per URL) once it is over. */
  gate: Pick<WebhookGate, "release">;
  logger: Logger;
  dispatcher: Dispatcher;
  allowPrivate: boolean;
  timeoutMs: number;
  metrics: Metrics;
}

/** A failed attempt worth repeating; `retryAfterMs` is what the receiver asked for, if it did. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = "RetryableDeliveryError";
  }
}

/**
 * A receiver's Retry-After is honoured up to one hour: beyond that a receiver could park a
 * delivery (and its job in Redis) for years.
 */
export const RETRY_AFTER_CAP_MS = 3600 * 1000;

function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? null : Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
}

/** What a failed connection says, without anything of ours (headers, secret) in it. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name === "TimeoutError" ? "timed out" : error.message}${cause}`.slice(0, 300);
  }
  return "delivery failed";
}

/**
 * Delivers one webhook event, signed per the Standard Webhooks spec: the `webhook-id` is the
 * event id, the same on every retry of the event, so receivers can drop duplicates. Every
 * attempt is recorded. Connection errors, timeouts, 408, 429 and 5xx are retried on a growing
 * schedule; 410 Gone and any other answer (redirects included: they are not followed) end it.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  async function record(
    event: WebhookEventDoc,
    attempt: number,
    statusCode: number | null,
    latencyMs: number | null,
    error: string | null,
  ) {
    await deps.store.webhooks.recordDelivery({
      eventId: event._id,
      queryId: event.queryId,
      userId: event.userId,
      type: event.type,
      attempt,
      at: new Date(),
      statusCode,
      latencyMs,
      error,
    });
  }

  async function deliver(job: Job): Promise<{ statusCode: number }> {
    const parsed = webhookJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("invalid job payload");
    const event = await deps.store.webhooks.findEvent(parsed.data.eventId);
    if (!event) return { statusCode: 0 }; // its query was deleted meanwhile
    const attempt = job.attemptsMade + 1;
    try {
      const result = await attemptDelivery(event, attempt);
      await deps.gate.release(event);
      return result;
    } catch (error) {
      // Over when it will not be tried again: its place goes to the next delivery.
      if (error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1)) {
        await deps.gate.release(event).catch((err) => deps.logger.warn({ err }, "webhook place not freed"));
      }
      throw error;
    }
  }

  async function attemptDelivery(event: WebhookEventDoc, attempt: number): Promise<{ statusCode: number }> {
    const url = parseWebhookUrl(event.url);
    const target = url.ok ? await checkWebhookTarget(url.url, { allowPrivate: deps.allowPrivate }) : url;
    if (!url.ok || !target.ok) {
      const reason = `blocked: ${target.ok ? "invalid URL" : target.reason}`;
      deps.metrics.webhookDeliveries.inc({ outcome: "failed" });
      await record(event, attempt, null, null, reason);
      throw new UnrecoverableError(reason);
    }

    const secret = await deps.store.users.webhookSecret(event.userId);
    const sentAt = new Date();
    const signature = new Webhook(secret).sign(event._id, sentAt, event.payload);
    const started = performance.now();
    let statusCode: number;
    let headers: Record<string, string | string[] | undefined>;
    try {
      const response = await request(url.url, {
        method: "POST",
        dispatcher: deps.dispatcher,
        headers: {
          "content-type": "application/json",
          "user-agent": "llm-chat-webhooks/1",
          "webhook-id": event._id,
          "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
          "webhook-signature": signature,
        },
        body: event.payload,
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      statusCode = response.statusCode;
      headers = response.headers;
      // The answer's body is of no use to us; draining it frees the connection.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    } catch (error) {
      const message = describe(error);
      await record(event, attempt, null, Math.round(performance.now() - started), message);
      const blocked = message.includes("blocked:");
      deps.metrics.webhookDeliveries.inc({ outcome: blocked ? "failed" : "retried" });
      if (blocked) throw new UnrecoverableError(message);
      throw new RetryableDeliveryError(message, null);
    }
    const latencyMs = Math.round(performance.now() - started);
    const ok = statusCode >= 200 && statusCode < 300;
    await record(event, attempt, statusCode, latencyMs, ok ? null : `receiver answered ${statusCode}`);
    if (ok) {
      deps.metrics.webhookDeliveries.inc({ outcome: "delivered" });
      return { statusCode };
    }
    if (statusCode === 408 || statusCode === 429 || statusCode >= 500) {
      deps.metrics.webhookDeliveries.inc({ outcome: "retried" });
      throw new RetryableDeliveryError(`receiver answered ${statusCode}`, retryAfterMs(headers["retry-after"]));
    }
    deps.metrics.webhookDeliveries.inc({ outcome: "failed" });
    deps.logger.info({ eventId: event._id, statusCode }, "webhook refused by its receiver; not retried");
    throw new UnrecoverableError(`receiver answered ${statusCode}`);
  }

  return deliver;
}
