import type { WebhookEvent } from "@llm-chat/contracts";
import type { Producer } from "@llm-chat/queue";
import type { QueryDoc, Store } from "@llm-chat/store";
import type { Logger } from "pino";
import type { QueryEvent, QueryEventLog } from "./query-event-log.js";
import type { WebhookGate } from "./webhook-gate.js";

export interface QueryEmitterConfig {
  /** Token deltas are batched into one stream entry per this many ms (fewer Redis writes). */
  outputFlushMs: number;
  /** At most one `output` webhook per query per this many ms. */
  webhookOutputMs: number;
  /** Where webhook events go: capped and coalesced so no receiver can fill Redis. */
  webhooks: WebhookGate;
  /** Told of every query that reached its final status (metrics). */
  onFinished?: (query: QueryDoc) => void;
}

/** What a webhook receiver gets: the query as it stood when the event happened. */
function webhookPayload(type: WebhookEvent, query: QueryDoc, output: string | null) {
  return {
    type: `query.${type}`,
    timestamp: new Date().toISOString(),
    data: {
      id: query._id,
      conversationId: query.conversationId,
      model: query.model,
      status: query.status,
      output,
      error: query.error,
      attempts: query.attempts,
      createdAt: query.createdAt.toISOString(),
      finishedAt: query.finishedAt?.toISOString() ?? null,
      metrics: query.metrics,
    },
  };
}

/**
 * Publishes what happens to a query: to its live event stream (SSE, Prefer: wait) and, if
 * the query asked for them, as webhook events. `start` and `completed` have ids derived
 * from the query, so a job retried after a crash cannot announce them twice.
 */
export function createQueryEmitter(
  // Unused since webhooks go through config.webhooks; kept so callers need not change.
  _store: Store,
  events: QueryEventLog,
  _producer: Producer,
  logger: Logger,
  config: QueryEmitterConfig,
) {
  async function webhook(query: QueryDoc, type: WebhookEvent, output: string | null, stableId: boolean) {
    if (!query.webhook?.events.includes(type)) return;
    const payload = JSON.stringify(webhookPayload(type, query, output));
    const id = stableId ? `evt_${query._id.slice(4)}_${type}` : undefined;
    // The gate caps waiting deliveries and coalesces `output` ones (webhook-gate.ts).
    await config.webhooks.send({
      queryId: query._id,
      userId: query.userId,
      url: query.webhook.url,
      type,
      payload,
      stableId: id,
    });
  }

  return {
    async started(query: QueryDoc): Promise<void> {
      await events.append(query._id, { type: "status", status: "running" });
      await webhook(query, "start", null, true);
    },

    /** A streaming sink for one attempt's output; `close()` flushes what is buffered. */
    output(query: QueryDoc) {
      let buffer = "";
      let soFar = "";
      let timer: NodeJS.Timeout | null = null;
      let lastWebhook = 0;
      const flush = () => {
        timer = null;
        if (buffer === "") return;
        const delta = buffer;
        buffer = "";
        void events
          .append(query._id, { type: "output", delta })
          .catch((err) => logger.warn({ err }, "output event lost"));
        const now = Date.now();
        if (query.webhook?.events.includes("output") && now - lastWebhook >= config.webhookOutputMs) {
          lastWebhook = now;
          void webhook(query, "output", soFar, false).catch((err) => logger.warn({ err }, "output webhook lost"));
        }
      };
      return {
        push(delta: string) {
          buffer += delta;
          soFar += delta;
          timer ??= setTimeout(flush, config.outputFlushMs);
        },
        close() {
          if (timer) clearTimeout(timer);
          flush();
        },
      };
    },

    /** The query reached a final status; `query` is its record as written. */
    async finished(query: QueryDoc): Promise<void> {
      config.onFinished?.(query);
      const done: QueryEvent = { type: "done", status: query.status, output: query.output, error: query.error };
      await events.append(query._id, { type: "status", status: query.status }, done);
      await webhook(query, "completed", query.output, true);
    },
  };
}

export type QueryEmitter = ReturnType<typeof createQueryEmitter>;
