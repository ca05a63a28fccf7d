import { createHash } from "node:crypto";
import type { WebhookEvent } from "@llm-chat/contracts";
import { defineDeleteIfEquals, type Producer } from "@llm-chat/queue";
import { isDuplicateKey, newId, type Store, type WebhookEventDoc } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { cappedPlaces } from "./capped-places.js";

export interface WebhookGateConfig {
  keyPrefix: string;
  /** Deliveries one user may have waiting (queued or between retries) at once. */
  maxPendingPerUser: number;
  /** Deliveries one receiver URL may have waiting at once, whoever sent them. */
  maxPendingPerUrl: number;
  /**
   * A pending place older than this is forgotten, whatever became of its job (a query deleted
   * while its delivery waited): longer than the whole retry schedule (30 attempts, at most 2 h
   * apart, Retry-After capped at 1 h: under two days).
   */
  pendingHorizonMs?: number;
}

export interface WebhookToSend {
  queryId: string;
  userId: string;
  url: string;
  type: WebhookEvent;
  payload: string;
  /** An id derived from the query (`start`, `completed`): recording it twice is harmless. */
  stableId?: string;
}

const DEFAULT_HORIZON_MS = 3 * 24 * 3600 * 1000;

/**
 * What keeps webhook deliveries from filling Redis (which runs with noeviction): each waiting
 * delivery holds a place under its user and under its URL, and past either cap the delivery is
 * not queued but recorded as refused (attempt 0). `output` deliveries are coalesced: a query
 * has at most one waiting, whose payload each later output replaces (the latest output wins;
 * every output payload holds the whole output so far, and `completed` always follows).
 */
export function createWebhookGate(
  redis: Redis | Cluster,
  store: Store,
  producer: Producer,
  logger: Logger,
  config: WebhookGateConfig,
) {
  const horizonMs = config.pendingHorizonMs ?? DEFAULT_HORIZON_MS;
  const places = cappedPlaces(redis, horizonMs);
  const deleteIf = defineDeleteIfEquals(redis);
  const userKey = (userId: string) => `${config.keyPrefix}:wh:pending:user:${userId}`;
  const urlKey = (url: string) =>
    `${config.keyPrefix}:wh:pending:url:${createHash("sha256").update(url).digest("base64url").slice(0, 32)}`;
  const outputKey = (queryId: string) => `${config.keyPrefix}:wh:output:${queryId}`;

  /** Takes a place under the user and the URL, or none: the reason when refused. */
  async function claim(event: WebhookToSend, eventId: string): Promise<string | null> {
    if (!(await places.claim(userKey(event.userId), config.maxPendingPerUser, eventId))) {
      return `not sent: this user already has ${config.maxPendingPerUser} webhook deliveries waiting`;
    }
    if (!(await places.claim(urlKey(event.url), config.maxPendingPerUrl, eventId))) {
      await places.release(userKey(event.userId), eventId);
      return `not sent: this URL already has ${config.maxPendingPerUrl} webhook deliveries waiting`;
    }
    return null;
  }

  async function refuse(event: WebhookToSend, eventId: string, reason: string) {
    logger.info({ queryId: event.queryId, type: event.type }, "webhook delivery refused: too many waiting");
    await store.webhooks.recordDelivery({
      eventId,
      queryId: event.queryId,
      userId: event.userId,
      type: event.type,
      attempt: 0,
      at: new Date(),
      statusCode: null,
      latencyMs: null,
      error: reason,
    });
  }

  async function record(event: WebhookToSend, eventId: string) {
    const { stableId: _stable, ...fields } = event;
    try {
      await store.webhooks.recordEvent({ id: eventId, ...fields });
    } catch (error) {
      // Recorded by an earlier attempt that may have died before enqueueing: enqueue again,
      // the job id (the event id) keeps BullMQ from holding it twice.
      if (!isDuplicateKey(error) || !event.stableId) throw error;
    }
    await producer.enqueue("webhook", { eventId }, eventId);
  }

  async function sendOutput(event: WebhookToSend) {
    const eventId = newId("event");
    const marker = outputKey(event.queryId);
    const set = await redis.set(marker, eventId, "PX", horizonMs, "NX");
    if (set !== "OK") {
      const waiting = await redis.get(marker);
      if (waiting) await store.webhooks.replacePayload(waiting, event.payload);
      return;
    }
    // Output deliveries are progress reports: over a cap one is dropped without a record.
    if ((await claim(event, eventId)) !== null) {
      await deleteIf(marker, eventId);
      return;
    }
    await record(event, eventId);
  }

  return {
    async send(event: WebhookToSend): Promise<void> {
      if (event.type === "output") return sendOutput(event);
      const eventId = event.stableId ?? newId("event");
      const refused = await claim(event, eventId);
      if (refused) return refuse(event, eventId, refused);
      await record(event, eventId);
    },

    /** The delivery of `event` is over (delivered, refused by its receiver, or out of attempts). */
    async release(event: WebhookEventDoc): Promise<void> {
      await Promise.all([
        places.release(userKey(event.userId), event._id),
        places.release(urlKey(event.url), event._id),
        event.type === "output" ? deleteIf(outputKey(event.queryId), event._id) : null,
      ]);
    },
  };
}

export type WebhookGate = ReturnType<typeof createWebhookGate>;
