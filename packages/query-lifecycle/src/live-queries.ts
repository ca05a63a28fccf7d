import {
  emptyQueryMetrics,
  type FinalStatus,
  type QueryErrorCode,
  type QueryMetrics,
  type QueryStatus,
} from "@llm-chat/contracts";
import { defineScript } from "@llm-chat/queue";
import type { QueryDoc } from "@llm-chat/store";
import type { ChainableCommander, Cluster, Redis } from "ioredis";
import { isQueryStatus, sourcesOf } from "./states.js";

/** How a query ended, as decided once. Token counts let a retry write the messages. */
export interface Outcome {
  status: FinalStatus;
  output: string | null;
  error: { code: QueryErrorCode; message: string } | null;
  metrics: QueryMetrics | null;
  finishedAt: Date;
  /** Set for `succeeded`: what the two messages of the exchange count. */
  promptTokens?: number;
  answerTokens?: number;
}

/** The live state of one query, as Redis holds it. */
export interface LiveQuery {
  /** The query as a client should see it now. */
  doc: QueryDoc;
  /** The decided status, which `doc` shows only once the record is written. */
  status: QueryStatus;
  outcome: Outcome | null;
  /** Decided, but the store does not say so yet (the decider is writing, or died doing so). */
  unrecorded: boolean;
  /**
   * Decided and maybe recorded, but not yet announced (done event, webhook, places freed):
   * the decider is announcing, or died doing so. True whenever `unrecorded` is.
   */
  unannounced: boolean;
  /**
   * The system prompt of the conversation this query started, or undefined when the query
   * joined an existing one (its conversation, with any summary, is read from the store).
   */
  system?: string | null;
}

export interface LiveQueriesConfig {
  keyPrefix: string;
  /** How long an open query's state lives without a move (it is rebuilt from the store if lost). */
  openTtlSeconds: number;
  /** How long a finished query's state stays, so the polls right after the answer skip the store. */
  finalTtlSeconds: number;
}

/**
 * An open query's state outlives any sane deadline; a finished one's stays ten minutes, long
 * enough for the polls and stream starts that follow an answer, short enough that Redis
 * does not become a second store of every answer (the record is in MongoDB).
 */
export const liveQueryTtls = { openTtlSeconds: 7 * 24 * 3600, finalTtlSeconds: 600 } as const;

type Base = Pick<QueryDoc, "userId" | "conversationId" | "seq" | "model" | "prompt" | "params" | "webhook"> &
  Pick<Partial<QueryDoc>, "responses"> & {
    createdAt: number;
    system?: string | null;
  };

// Fields: s status, b immutable part (JSON), a attempts, st startedAt ms, o outcome (JSON),
// w "1" while the decided outcome is not yet in the store, "2" once it is but has not yet
// been announced (the outcome is visible then: the done event may already be out). ARGV[1] is always the list of
// statuses the move is allowed from (states.ts), as ",a,b,".

const CREATE_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'b', ARGV[2], 'a', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'st', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1`;

// Reads the hash once and writes the move in one HSET (HGETALL, HSET, EXPIRE: it was HGET,
// HSET, HSETNX, HINCRBY, EXPIRE, HGETALL), answering the fields as they now stand: the
// status running, the first start time kept, attempts one more.
const START = `
local f = redis.call('HGETALL', KEYS[1])
local h = {}
for i = 1, #f, 2 do h[f[i]] = f[i + 1] end
if not h['s'] then return false end
if not string.find(ARGV[1], ',' .. h['s'] .. ',', 1, true) then return f end
h['s'] = 'running'
h['st'] = h['st'] or ARGV[2]
h['a'] = tostring((tonumber(h['a']) or 0) + 1)
redis.call('HSET', KEYS[1], 's', h['s'], 'st', h['st'], 'a', h['a'])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local out = {}
for k, v in pairs(h) do out[#out + 1] = k out[#out + 1] = v end
return out`;

const DECIDE = `
local s = redis.call('HGET', KEYS[1], 's')
if not s then return -1 end
if not string.find(ARGV[1], ',' .. s .. ',', 1, true) then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'o', ARGV[3], 'w', '1')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1`;

const WRITTEN = `
if redis.call('HGET', KEYS[1], 'w') == '1' then redis.call('HSET', KEYS[1], 'w', '2') end
return 1`;

const HAND_BACK = `
local s = redis.call('HGET', KEYS[1], 's')
if s and string.find(ARGV[1], ',' .. s .. ',', 1, true) then redis.call('HSET', KEYS[1], 's', 'queued') return 1 end
return 0`;

const allowed = (to: QueryStatus) => `,${sourcesOf(to).join(",")},`;

function baseOf(doc: QueryDoc, system?: string | null): Base {
  const { userId, conversationId, seq, model, prompt, params, webhook } = doc;
  const base: Base = {
    userId,
    conversationId,
    seq,
    model,
    prompt,
    params,
    webhook,
    createdAt: doc.createdAt.getTime(),
  };
  if (system !== undefined) base.system = system;
  if (doc.responses) base.responses = doc.responses;
  return base;
}

type StoredOutcome = Omit<Outcome, "finishedAt"> & { finishedAt: number };

function parse(id: string, fields: Record<string, string>): LiveQuery | null {
  const status = fields.s;
  if (!isQueryStatus(status) || !fields.b) return null;
  const { system, ...base } = JSON.parse(fields.b) as Base;
  const stored = fields.o ? (JSON.parse(fields.o) as StoredOutcome) : null;
  const outcome: Outcome | null = stored ? { ...stored, finishedAt: new Date(stored.finishedAt) } : null;
  const unrecorded = fields.w === "1";
  const unannounced = unrecorded || fields.w === "2";
  const startedAt = fields.st ? new Date(Number(fields.st)) : null;
  // Until the record is written, the query shows as it was before the decision: a client
  // that sees it finished can read its messages from the store at once.
  const shown = outcome && !unrecorded ? outcome : null;
  const visible: QueryStatus = shown ? shown.status : status === "queued" || !startedAt ? "queued" : "running";
  return {
    doc: {
      _id: id,
      ...base,
      createdAt: new Date(base.createdAt),
      status: visible,
      attempts: Number(fields.a ?? 0),
      startedAt,
      finishedAt: shown?.finishedAt ?? null,
      output: shown?.output ?? null,
      error: shown?.error ?? null,
      metrics: shown?.metrics ?? { ...emptyQueryMetrics },
    },
    status,
    outcome,
    unrecorded,
    unannounced,
    ...(system !== undefined ? { system } : {}),
  };
}

function pairs(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = String(raw[i + 1]);
  return out;
}

/**
 * The live state of every open query (and of finished ones for a while) in one Redis hash
 * each. While a query is open this is where its status moves, by scripts that check the
 * move against states.ts, so a worker finishing and a client canceling cannot both win.
 * Polls and stream starts read it instead of the store. The store stays the record: a
 * lost hash is rebuilt from the query's document (`adopt`).
 */
export function createLiveQueries(redis: Redis | Cluster, config: LiveQueriesConfig) {
  const key = (id: string) => `${config.keyPrefix}:live:${id}`;
  const createIfAbsent = defineScript(redis, "llmChatLiveCreateIfAbsent", CREATE_IF_ABSENT);
  const startScript = defineScript(redis, "llmChatLiveStart", START);
  const decideScript = defineScript(redis, "llmChatLiveDecide", DECIDE);
  const writtenScript = defineScript(redis, "llmChatLiveWritten", WRITTEN);
  const handBackScript = defineScript(redis, "llmChatLiveHandBack", HAND_BACK);

  return {
    key,

    /**
     * Adds the commands that create an accepted query's state to `tx` (one round trip per
     * batch). `system`: the system prompt of the conversation the query starts, so the
     * worker need not read the conversation back.
     */
    create(tx: ChainableCommander, doc: QueryDoc, system?: string | null): void {
      tx.hset(key(doc._id), "s", doc.status, "b", JSON.stringify(baseOf(doc, system)), "a", doc.attempts);
      tx.expire(key(doc._id), config.openTtlSeconds);
    },

    /** Rebuilds the state of an open query from its record, unless Redis has one. */
    async adopt(doc: QueryDoc): Promise<void> {
      const started = doc.startedAt ? String(doc.startedAt.getTime()) : "";
      await createIfAbsent(
        key(doc._id),
        doc.status,
        JSON.stringify(baseOf(doc)),
        doc.attempts,
        started,
        config.openTtlSeconds,
      );
    },

    async get(id: string): Promise<LiveQuery | null> {
      return parse(id, await redis.hgetall(key(id)));
    },

    async getMany(ids: readonly string[]): Promise<Array<LiveQuery | null>> {
      if (ids.length === 0) return [];
      const tx = redis.pipeline();
      for (const id of ids) tx.hgetall(key(id));
      const results = (await tx.exec()) ?? [];
      return ids.map((id, i) => {
        const [error, fields] = results[i] ?? [null, null];
        return error || !fields ? null : parse(id, fields as Record<string, string>);
      });
    },

    /** A new attempt: queued (or running, after a crash) becomes running. Null when Redis has no state. */
    async start(id: string, now: Date): Promise<LiveQuery | null> {
      const raw = await startScript(key(id), allowed("running"), now.getTime(), config.openTtlSeconds);
      return raw ? parse(id, pairs(raw)) : null;
    },

    /**
     * Decides how the query ends. "decided": this caller won and must record it; "taken":
     * it had already ended; "missing": Redis has no state (adopt it from the store first).
     */
    async decide(id: string, outcome: Outcome): Promise<"decided" | "taken" | "missing"> {
      const stored: StoredOutcome = { ...outcome, finishedAt: outcome.finishedAt.getTime() };
      const answer = await decideScript(
        key(id),
        allowed(outcome.status),
        outcome.status,
        JSON.stringify(stored),
        config.finalTtlSeconds,
      );
      return answer === 1 ? "decided" : answer === 0 ? "taken" : "missing";
    },

    /**
     * The decided outcome is in the store now: clients may see it, before it is announced,
     * so whoever hears the done event reads the outcome it announces.
     */
    async recorded(id: string): Promise<void> {
      await writtenScript(key(id));
    },

    /** The outcome has been announced: nothing is left for a retry or the sweeper to finish. */
    async announced(id: string): Promise<void> {
      await redis.hdel(key(id), "w");
    },

    /** A running query whose worker is leaving goes back to waiting. */
    async handBack(id: string): Promise<void> {
      await handBackScript(key(id), allowed("queued"));
    },

    async drop(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      const tx = redis.pipeline();
      for (const id of ids) tx.del(key(id));
      await tx.exec();
    },
  };
}

export type LiveQueries = ReturnType<typeof createLiveQueries>;
