import { isFinal, type QueryErrorCode, type QueryStatus } from "@llm-chat/contracts";
import type { QueryEmitter, QueryEventLog } from "@llm-chat/events";
import type { Producer } from "@llm-chat/queue";
import type { QueryDoc, Store } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { createAccept } from "./accept.js";
import type { ConversationOrder } from "./conversation-order.js";
import type { HotHistory } from "./hot-history.js";
import type { LiveQueries, LiveQuery, Outcome } from "./live-queries.js";
import type { LedgerPlace, QueryLedger } from "./query-ledger.js";
import { createRecorder } from "./record.js";

export interface LifecycleDeps {
  store: Store;
  redis: Redis | Cluster;
  live: LiveQueries;
  ledger: QueryLedger;
  events: QueryEventLog;
  producer: Producer;
  emitter: QueryEmitter;
  order: ConversationOrder;
  history: HotHistory;
  logger: Logger;
  /** Pub/sub channel on which workers hear which running query to abort. */
  cancelChannel: string;
  /** The model's context window, to keep the hot history within what a prompt can use. */
  tokenCap(model: string): number | undefined;
}

/** What a worker's attempt found when it came for its query. */
export type Begin =
  | { kind: "gone" }
  | { kind: "ended"; status: QueryStatus }
  | { kind: "wait"; place: LedgerPlace }
  | { kind: "running"; query: QueryDoc; system?: string | null };

export type Finish = { kind: "recorded"; query: QueryDoc } | { kind: "lost"; status: QueryStatus } | { kind: "gone" };

export type Cancel =
  | { kind: "canceled"; query: QueryDoc }
  | { kind: "not-found" }
  | { kind: "finished"; status: QueryStatus };

const stateFromRecord = (doc: QueryDoc): LiveQuery => ({
  doc,
  status: doc.status,
  outcome: null,
  unrecorded: false,
  unannounced: false,
});

/**
 * The one place a query's status changes: submit (accept), start, finish, cancel, hand
 * back, and the sweeper's repairs. While a query is open its live state in Redis decides
 * every move (states.ts says which are allowed); the store is written when the query is
 * accepted and once more when it has ended, in batches shared with concurrent queries.
 */
export function createQueryLifecycle(deps: LifecycleDeps) {
  const { store, live, logger } = deps;
  const accept = createAccept(deps);
  const record = createRecorder(store);

  /** The live state, rebuilt from the record when Redis has none for an open query. */
  async function stateOf(id: string): Promise<LiveQuery | null> {
    const found = await live.get(id);
    if (found) return found;
    const doc = await store.queries.findById(id);
    if (!doc) return null;
    if (isFinal(doc.status)) return stateFromRecord(doc);
    await live.adopt(doc);
    return (await live.get(id)) ?? stateFromRecord(doc);
  }

  /** Records a decided outcome, then makes it visible: history, store, events, webhooks, the next in line. */
  async function complete(query: QueryDoc, outcome: Outcome): Promise<Finish> {
    const id = query._id;
    const answered = outcome.status === "succeeded" && outcome.output !== null;
    // History before status: once a query is visibly done, the next one must see its turn.
    if (answered) {
      await deps.history.append(
        query.conversationId,
        {
          seq: query.seq,
          user: query.prompt,
          assistant: outcome.output ?? "",
          userTokens: outcome.promptTokens ?? 0,
          assistantTokens: outcome.answerTokens ?? 0,
        },
        deps.tokenCap(query.model),
      );
    }
    if ((await record({ query, outcome })) === "gone") {
      if (answered) await deps.history.remove(query.conversationId, query.seq);
      await live.drop([id]);
      return { kind: "gone" };
    }
    const ended: QueryDoc = {
      ...query,
      status: outcome.status,
      output: outcome.output,
      error: outcome.error,
      metrics: outcome.metrics ?? query.metrics,
      finishedAt: outcome.finishedAt,
    };
    // Visible before announced: a client woken by the done event must read the outcome.
    await live.recorded(id);
    // Its owner's open-query place and its place in the conversation's line are free now.
    await deps.ledger.release(query.userId, id, query.conversationId);
    await deps.emitter.finished(ended);
    await live.announced(id);
    await deps.order.promoteNext(query).catch((err) => logger.warn({ err }, "could not wake the next query"));
    return { kind: "recorded", query: ended };
  }

  /** Finishes what a decider began and did not complete (it died between deciding and announcing). */
  async function settle(state: LiveQuery): Promise<boolean> {
    if (!state.unannounced || !state.outcome) return false;
    await complete(state.doc, state.outcome);
    logger.warn({ queryId: state.doc._id }, "completed the recording of an outcome decided by an attempt that died");
    return true;
  }

  async function decide(query: QueryDoc, outcome: Outcome): Promise<Finish> {
    let answer = await live.decide(query._id, outcome);
    if (answer === "missing") {
      const state = await stateOf(query._id);
      if (!state) return { kind: "gone" };
      answer = await live.decide(query._id, outcome);
      if (answer === "missing")
        return isFinal(state.status) ? { kind: "lost", status: state.status } : { kind: "gone" };
    }
    if (answer === "taken") return { kind: "lost", status: (await live.get(query._id))?.status ?? "canceled" };
    return complete(query, outcome);
  }

  return {
    accept,

    /** The query as its owner should see it now: live state first, the store once that is gone. */
    async read(id: string, userId: string): Promise<QueryDoc | null> {
      const found = await live.get(id);
      if (found) return found.doc.userId === userId ? found.doc : null;
      return store.queries.findForUser(id, userId);
    },

    /** Shows a page of stored queries with the live status of those still open. */
    async overlay(docs: QueryDoc[]): Promise<QueryDoc[]> {
      const open = docs.filter((doc) => !isFinal(doc.status));
      const states = await live.getMany(open.map((doc) => doc._id));
      const now = new Map(states.flatMap((state) => (state ? [[state.doc._id, state.doc] as const] : [])));
      return docs.map((doc) => now.get(doc._id) ?? doc);
    },

    /** Open for ordering: not ended, or ended but not yet in the history the next query reads. */
    async isOpen(id: string): Promise<boolean> {
      const found = await live.get(id);
      if (found) return !isFinal(found.status) || found.unrecorded;
      const doc = await store.queries.findById(id);
      return doc !== null && !isFinal(doc.status);
    },

    /** A worker's attempt takes its query: running, or why not. */
    async begin(id: string, now: Date): Promise<Begin> {
      const state = await stateOf(id);
      if (!state) return { kind: "gone" };
      if (isFinal(state.status)) {
        await settle(state);
        return { kind: "ended", status: state.status };
      }
      if (await deps.order.blocker(state.doc)) return { kind: "wait", place: state.doc };
      const started = await live.start(id, now);
      if (!started) return { kind: "gone" };
      if (isFinal(started.status)) {
        await settle(started);
        return { kind: "ended", status: started.status };
      }
      await deps.emitter.started(started.doc);
      return {
        kind: "running",
        query: started.doc,
        ...(started.system !== undefined ? { system: started.system } : {}),
      };
    },

    succeed(
      query: QueryDoc,
      answer: { output: string; metrics: Outcome["metrics"]; promptTokens: number; answerTokens: number },
    ) {
      return decide(query, {
        status: "succeeded",
        output: answer.output,
        error: null,
        metrics: answer.metrics,
        finishedAt: new Date(),
        promptTokens: answer.promptTokens,
        answerTokens: answer.answerTokens,
      });
    },

    fail(query: QueryDoc, code: QueryErrorCode, message: string): Promise<Finish> {
      return decide(query, {
        status: "failed",
        output: null,
        error: { code, message },
        metrics: null,
        finishedAt: new Date(),
      });
    },

    /** Cancels a queued or running query; a running one's worker is told to abort its model call. */
    async cancel(id: string, userId: string): Promise<Cancel> {
      const state = await stateOf(id);
      if (!state || state.doc.userId !== userId) return { kind: "not-found" };
      if (isFinal(state.status)) return { kind: "finished", status: state.status };
      const outcome: Outcome = { status: "canceled", output: null, error: null, metrics: null, finishedAt: new Date() };
      const answer = await live.decide(id, outcome);
      if (answer !== "decided") {
        const now = await live.get(id);
        return now ? { kind: "finished", status: now.status } : { kind: "not-found" };
      }
      // A waiting or delayed job is removed; one a worker holds is locked and aborted instead.
      await deps.producer.queue("query").remove(id);
      await deps.redis.publish(deps.cancelChannel, id);
      const done = await complete(state.doc, outcome);
      return done.kind === "recorded" ? { kind: "canceled", query: done.query } : { kind: "not-found" };
    },

    /** A worker leaving at shutdown gives its running query back to the queue. */
    handBack: (id: string) => live.handBack(id),

    /** Forgets the live state of deleted queries. */
    forget: (ids: readonly string[]) => live.drop(ids),

    /** For the sweeper: the query's live state (adopted from the record if Redis lost it). */
    stateOf,
    settle,
  };
}

export type QueryLifecycle = ReturnType<typeof createQueryLifecycle>;
