import type { QueryDoc, Store } from "@llm-chat/store";
import { groupCommit } from "./group-commit.js";
import type { Outcome } from "./live-queries.js";

export interface Recording {
  /** The query as it stood when its outcome was decided (attempts, startedAt). */
  query: QueryDoc;
  outcome: Outcome;
}

/** "written", or "gone" when the query's document no longer exists (its conversation was deleted). */
export type Recorded = "written" | "gone";

/**
 * Writes decided outcomes to the store, many queries in one go: one insert of the
 * answered exchanges' messages and one bulk update of the query documents. Writing the
 * same outcome twice (a retry settling what a dead worker decided) changes nothing.
 */
export function createRecorder(store: Store, maxBatch = 256) {
  async function flush(items: Recording[]): Promise<Recorded[]> {
    const messages = items.flatMap(({ query, outcome }) =>
      outcome.status === "succeeded" && outcome.output !== null
        ? store.messages.exchange(
            query,
            outcome.promptTokens ?? 0,
            { content: outcome.output, tokens: outcome.answerTokens ?? 0 },
            outcome.finishedAt,
          )
        : [],
    );
    const [, gone] = await Promise.all([
      store.messages.insertExchanges(messages),
      store.queries.recordFinal(
        items.map(({ query, outcome }) => ({
          id: query._id,
          record: {
            status: outcome.status,
            output: outcome.output,
            error: outcome.error,
            finishedAt: outcome.finishedAt,
            metrics: outcome.metrics ?? query.metrics,
            attempts: query.attempts,
            startedAt: query.startedAt,
          },
        })),
      ),
    ]);
    // Their conversation went while they ran: the messages just written must go too.
    await Promise.all(gone.map((id) => store.messages.deleteForQuery(id)));
    return items.map(({ query }) => (gone.includes(query._id) ? "gone" : "written"));
  }

  return groupCommit<Recording, Recorded>(flush, { maxItems: maxBatch });
}
