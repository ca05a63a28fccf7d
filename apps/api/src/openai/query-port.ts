import type { GenerationParams } from "@llm-chat/contracts";
import type { LoggedEvent } from "@llm-chat/events";
import type { GivenTurn, QueryDoc, ResponsesEcho } from "@llm-chat/store";
import type { AppDeps } from "../deps.js";
import { cancelQuery } from "../use-cases/cancel-query.js";
import { submitQuery } from "../use-cases/submit-query.js";
import { waitForDone } from "../use-cases/wait-for-query.js";

/**
 * The one door from the OpenAI-compatible routes to llm-chat's query use cases: submit,
 * cancel, wait, the event log and the query records. Everything under openai/ goes
 * through here, so a change of those use cases' signatures is absorbed in this file.
 */
export interface QueryPort {
  submit(userId: string, request: SubmitRequest): Promise<QueryDoc>;
  /** The caller's query, or null for a missing one or another user's. */
  findForUser(id: string, userId: string): Promise<QueryDoc | null>;
  findById(id: string): Promise<QueryDoc | null>;
  /** Cancels an open query; throws a DomainError "query_finished" when it has already finished. */
  cancel(query: QueryDoc): Promise<QueryDoc>;
  /** True once the query is done; false after `ms` or on `abort`. */
  waitForDone(id: string, ms: number, abort: AbortSignal): Promise<boolean>;
  eventsAfter(id: string, afterId: string | null): Promise<LoggedEvent[]>;
  /** Calls `listener` whenever the query's log grows; returns the unsubscribe. */
  listen(id: string, listener: () => void): () => void;
}

export type SubmitRequest =
  /** Appends to one of the caller's conversations, which is the context. */
  (
    | { kind: "continue"; conversationId: string; model: string; prompt: string; params: GenerationParams }
    /** A new conversation whose context is exactly what the caller gave. */
    | {
        kind: "given";
        model: string;
        system: string | null;
        turns: GivenTurn[];
        prompt: string;
        params: GenerationParams;
      }
  ) & {
    /** Set by /v1/responses: kept on the query for its retrieves. */
    responses?: ResponsesEcho;
  };

export function createQueryPort(deps: AppDeps): QueryPort {
  const { conversations } = deps.store;

  async function submitGiven(userId: string, request: Extract<SubmitRequest, { kind: "given" }>) {
    const { model, prompt, params } = request;
    const system = request.system ?? undefined;
    // Without earlier turns this is an ordinary new conversation.
    const options = { responses: request.responses };
    if (request.turns.length === 0) return submitQuery(deps, userId, { prompt, model, system, params }, options);
    // With them, the conversation is stored first carrying the turns, so the worker finds
    // them with it; the usual submit then appends the prompt to it.
    // An unknown model is refused by the usual submit, before anything is stored.
    if (!deps.models.get(model)) return submitQuery(deps, userId, { prompt, model, params }, options);
    const conversation = { ...conversations.build({ userId, model, system }), givenTurns: request.turns };
    await conversations.insert(conversation);
    try {
      // Its numbering starts here, as a fresh conversation's does (no store lookup of seq).
      await deps.ledger.raiseSeq(conversation._id, -1);
      return await submitQuery(deps, userId, { prompt, conversationId: conversation._id, params }, options);
    } catch (error) {
      await conversations.delete(conversation._id).catch(() => undefined);
      throw error;
    }
  }

  return {
    submit(userId, request) {
      if (request.kind === "given") return submitGiven(userId, request);
      const { conversationId, model, prompt, params, responses } = request;
      return submitQuery(deps, userId, { prompt, conversationId, model, params }, { responses });
    },
    findForUser: (id, userId) => deps.lifecycle.read(id, userId),
    findById: async (id) => (await deps.lifecycle.stateOf(id))?.doc ?? null,
    cancel: (query) => cancelQuery(deps, query._id, query.userId),
    waitForDone: (id, ms, abort) => waitForDone(deps, id, ms, abort),
    eventsAfter: (id, afterId) => deps.events.readAfter(id, afterId),
    listen: (id, listener) => deps.hub.listen(id, listener),
  };
}
