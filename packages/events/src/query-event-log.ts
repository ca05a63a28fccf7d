import type { QueryEvent } from "@llm-chat/contracts";
import { defineScript } from "@llm-chat/queue";
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

// Bounded: a runaway generation cannot grow one stream without limit.
const MAX_LEN = "10000";

/**
 * One append as one command (it was MULTI/XADD/EXPIRE/PUBLISH/EXEC): the events, the
 * expiry and the announcement, atomically. KEYS[1] is the stream, the only key touched, so
 * the script is Redis-Cluster-safe (PUBLISH takes a channel, not a key). ARGV: channel,
 * query id, TTL, "1" to restart the TTL, then the events.
 *
 * The first XADD is NOMKSTREAM: it says whether the stream was there. A stream that was
 * not (first event, deleted query, Redis flushed or restarted, TTL run out) is created and
 * always gets its TTL, so no append can leave a stream that never expires. An existing
 * stream's TTL restarts only when asked (the append carries a status or done event):
 * output deltas, the bulk of appends, leave it as the last status set it.
 */
const APPEND_SCRIPT = `
local first = redis.call('XADD', KEYS[1], 'NOMKSTREAM', 'MAXLEN', '~', '${MAX_LEN}', '*', 'e', ARGV[5])
local created = not first
if created then redis.call('XADD', KEYS[1], 'MAXLEN', '~', '${MAX_LEN}', '*', 'e', ARGV[5]) end
for i = 6, #ARGV do redis.call('XADD', KEYS[1], 'MAXLEN', '~', '${MAX_LEN}', '*', 'e', ARGV[i]) end
if created or ARGV[4] == '1' then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`;

/**
 * Whether an append restarts its stream's TTL: one that moves the query's status or ends
 * it does. Output deltas do not; the TTL the last status (re)started covers them as long
 * as one attempt (QUERY_TIMEOUT_MS) is shorter than the TTL, and a stream gone meanwhile
 * is recreated with a TTL of its own.
 */
const restartsTtl = (events: readonly QueryEvent[]) => events.some((event) => event.type !== "output");

/**
 * The live events of each query, kept in a Redis stream so any API process can replay
 * them from any point (Last-Event-ID) and follow new ones. Every append is announced on
 * one pub/sub channel (the payload is just the query id), so an API process needs one
 * subscriber connection for all its streaming clients instead of a blocking read each.
 */
export function createQueryEventLog(redis: Redis | Cluster, config: QueryEventLogConfig) {
  const key = (queryId: string) => `${config.keyPrefix}:events:${queryId}`;
  const channel = `${config.keyPrefix}:events`;
  const ttl = String(config.ttlSeconds);
  const appendScript = defineScript(redis, "llmChatAppendQueryEvents", APPEND_SCRIPT);

  return {
    channel,

    async append(queryId: string, ...events: QueryEvent[]): Promise<void> {
      if (events.length === 0) return;
      await appendScript(
        key(queryId),
        channel,
        queryId,
        ttl,
        restartsTtl(events) ? "1" : "0",
        ...events.map((event) => JSON.stringify(event)),
      );
    },

    /**
     * Adds the append to a transaction or pipeline of the caller's (one round trip for many
     * queries). Plain commands, not the script: this is a query's first event (accept), so
     * the stream is new and needs its TTL anyway, and the script would cost more here (its
     * EVALSHA and a NOMKSTREAM XADD that finds no stream besides these three), while the
     * pipeline already sends them in the one round trip.
     */
    appendIn(tx: ChainableCommander, queryId: string, ...events: QueryEvent[]): void {
      const k = key(queryId);
      for (const event of events) tx.xadd(k, "MAXLEN", "~", MAX_LEN, "*", "e", JSON.stringify(event));
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
