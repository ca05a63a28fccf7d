import type { QueryEvent } from "@llm-chat/contracts";
import type { ChainableCommander, Cluster, Redis } from "ioredis";

export type { QueryEvent };

export interface LoggedEvent {
  /** The Redis stream entry id: ordered, and the SSE event id a client resumes from. */
  id: string;
  event: QueryEvent;
}

export interface QueryEventLogConfig {
  keyPrefix: string;
  /** How long a finished query's events stay replayable. */
  ttlSeconds: number;
}

const STREAM_ID = /^\d+-\d+$/;
export const isEventId = (value: string | undefined): value is string => !!value && STREAM_ID.test(value);

/**
 * The live events of each query, kept in a Redis stream so any API process can replay
 * them from any point (Last-Event-ID) and follow new ones. Every append is announced on
 * one pub/sub channel (the payload is just the query id), so an API process needs one
 * subscriber connection for all its streaming clients instead of a blocking read each.
 */
export function createQueryEventLog(redis: Redis | Cluster, config: QueryEventLogConfig) {
  const key = (queryId: string) => `${config.keyPrefix}:events:${queryId}`;
  const channel = `${config.keyPrefix}:events`;

  return {
    channel,

    async append(queryId: string, ...events: QueryEvent[]): Promise<void> {
      if (events.length === 0) return;
      const tx = redis.multi();
      this.appendIn(tx, queryId, ...events);
      await tx.exec();
    },

    /** Adds the append to a transaction or pipeline of the caller's (one round trip for many queries). */
    appendIn(tx: ChainableCommander, queryId: string, ...events: QueryEvent[]): void {
      const k = key(queryId);
      // Bounded: a runaway generation cannot grow one stream without limit.
      for (const event of events) tx.xadd(k, "MAXLEN", "~", 10_000, "*", "e", JSON.stringify(event));
      tx.expire(k, config.ttlSeconds);
      tx.publish(channel, queryId);
    },

    /** Events after `afterId` (exclusive; null for the start), oldest first. */
    async readAfter(queryId: string, afterId: string | null, count = 500): Promise<LoggedEvent[]> {
      const start = afterId ? `(${afterId}` : "-";
      const entries = await redis.xrange(key(queryId), start, "+", "COUNT", count);
      return entries.map(([id, fields]) => ({ id, event: JSON.parse(fields[1] ?? "{}") as QueryEvent }));
    },

    async drop(queryId: string): Promise<void> {
      await redis.del(key(queryId));
    },
  };
}

export type QueryEventLog = ReturnType<typeof createQueryEventLog>;
