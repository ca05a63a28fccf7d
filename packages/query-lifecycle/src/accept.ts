import type { ConversationDoc, QueryDoc } from "@llm-chat/store";
import { groupCommit } from "./group-commit.js";
import type { LifecycleDeps } from "./lifecycle.js";

export interface Accepting {
  query: QueryDoc;
  /** The conversation the query starts, or null when it joins an existing one. */
  conversation: ConversationDoc | null;
}

/** What accepting needs of the lifecycle's dependencies. */
export type AcceptDeps = Pick<LifecycleDeps, "store" | "redis" | "live" | "ledger" | "events" | "producer" | "logger">;

/**
 * Records accepted queries and enqueues their jobs, many submits in one go: one insert per
 * collection, one Redis pipeline (live state, place in line, first event), one BullMQ
 * addBulk. Each query is accepted in full or not at all: when the Redis part fails, the
 * documents written for the batch are removed again and every submit of it fails.
 */
export function createAccept(deps: AcceptDeps, maxBatch = 256) {
  const { store } = deps;

  async function undo(queryIds: readonly string[], conversationIds: readonly string[]): Promise<void> {
    await Promise.allSettled([
      ...queryIds.map((id) => store.queries.delete(id)),
      ...conversationIds.map((id) => store.conversations.delete(id)),
      deps.live.drop(queryIds),
    ]);
  }

  async function flush(items: Accepting[]): Promise<Array<null | Error>> {
    const starting = items.flatMap((item, i) => (item.conversation ? [{ i, item, doc: item.conversation }] : []));
    const [conversationAnswers, queryAnswers] = await Promise.all([
      store.conversations.insertMany(starting.map((s) => s.doc)),
      store.queries.insertMany(items.map((item) => item.query)),
    ]);
    const answers: Array<null | Error> = [...queryAnswers];
    // A query written without its new conversation, or a new conversation without its
    // query, must not stay.
    const strayQueries: string[] = [];
    const strayConversations: string[] = [];
    starting.forEach(({ i, item, doc }, k) => {
      const conversationFailed = conversationAnswers[k];
      if (conversationFailed && answers[i] === null) strayQueries.push(item.query._id);
      if (!conversationFailed && answers[i] !== null) strayConversations.push(doc._id);
      answers[i] ??= conversationFailed ?? null;
    });
    if (strayQueries.length + strayConversations.length > 0) await undo(strayQueries, strayConversations);

    const accepted = items.filter((_, i) => answers[i] === null);
    if (accepted.length === 0) return answers;
    try {
      const tx = deps.redis.pipeline();
      for (const { query, conversation } of accepted) {
        deps.live.create(tx, query, conversation ? conversation.system : undefined);
        deps.ledger.enterIn(tx, query._id, query);
        deps.events.appendIn(tx, query._id, { type: "status", status: "queued" });
      }
      const results = (await tx.exec()) ?? [];
      const failed = results.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
      await deps.producer.enqueueMany(
        "query",
        accepted.map(({ query }) => ({
          payload: { queryId: query._id, conversationId: query.conversationId, userId: query.userId },
          jobId: query._id,
        })),
      );
    } catch (error) {
      deps.logger.error({ err: error, queries: accepted.length }, "could not queue accepted queries; undoing them");
      await undo(
        accepted.map(({ query }) => query._id),
        accepted.flatMap(({ conversation }) => (conversation ? [conversation._id] : [])),
      );
      const failure = error instanceof Error ? error : new Error(String(error));
      return items.map((_, i) => answers[i] ?? failure);
    }
    return answers;
  }

  return groupCommit<Accepting, null>(flush, { maxItems: maxBatch });
}
