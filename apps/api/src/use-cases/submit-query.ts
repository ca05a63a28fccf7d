import type { SubmitQueryBody } from "@llm-chat/contracts";
import {
  type ConversationDoc,
  DuplicateKeyError,
  type NewQuery,
  type QueryDoc,
  type ResponsesEcho,
} from "@llm-chat/store";
import type { AppDeps } from "../deps.js";
import { DomainError } from "./domain-error.js";
import { reserveOpenQueryPlace } from "./open-query-place.js";
import { assertPromptFits } from "./prompt-fits.js";
import { requireModel } from "./require-model.js";
import { resolveConversation } from "./resolve-conversation.js";
import { assertWebhookTarget } from "./webhook-target.js";

/**
 * Numbers the query in its conversation and has it accepted (stored and enqueued together
 * with concurrent submits). A number the store already holds is skipped.
 */
async function acceptNumbered(
  deps: AppDeps,
  id: string,
  input: Omit<NewQuery, "seq">,
  conversation: ConversationDoc | null,
): Promise<QueryDoc> {
  const { queries } = deps.store;
  const { ledger } = deps;
  const lastInStore = () => queries.lastSeq(input.conversationId);
  let seq = conversation
    ? await ledger.startConversation(input.conversationId)
    : await ledger.nextSeq(input.conversationId, lastInStore);
  for (let attempt = 0; ; attempt++) {
    const query = queries.build({ ...input, seq }, id);
    try {
      await deps.lifecycle.accept({ query, conversation });
      return query;
    } catch (error) {
      // The counter was behind the store (Redis lost it and two submits rebuilt it at once).
      if (!(error instanceof DuplicateKeyError) || conversation || attempt >= 5) throw error;
      await ledger.raiseSeq(input.conversationId, await lastInStore());
      seq = await ledger.nextSeq(input.conversationId, lastInStore);
    }
  }
}

export interface SubmitOptions {
  /** Decided beforehand (an idempotency key's record names it), so a retry accepts the same query. */
  id?: string;
  /** What a /v1/responses create said, kept on the record for its retrieves. */
  responses?: ResponsesEcho;
}

/**
 * Records the query and enqueues its job. If the job cannot be enqueued (Redis down), the
 * records written for this request are removed again and the client is told to try again:
 * a query is either accepted in full or not at all.
 */
export async function submitQuery(
  deps: AppDeps,
  userId: string,
  body: SubmitQueryBody,
  { id = deps.store.queries.newId(), responses }: SubmitOptions = {},
): Promise<QueryDoc> {
  const { conversations } = deps.store;
  const { conversation, isNew } = await resolveConversation(deps, userId, body);
  assertPromptFits(requireModel(deps.models, conversation.model), conversation.system, body);
  if (body.webhook) await assertWebhookTarget(body.webhook, deps.config.allowPrivateWebhooks);

  try {
    await reserveOpenQueryPlace(deps, userId, id);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw unavailable(deps, error, id);
  }
  let query: QueryDoc;
  try {
    query = await acceptNumbered(
      deps,
      id,
      {
        userId,
        conversationId: conversation._id,
        model: conversation.model,
        prompt: body.prompt,
        params: body.params ?? {},
        webhook: body.webhook ?? null,
        ...(responses ? { responses } : {}),
      },
      isNew ? conversation : null,
    );
  } catch (error) {
    await deps.ledger.release(userId, id, conversation._id).catch(() => undefined);
    throw unavailable(deps, error, id);
  }
  if (!isNew) void conversations.touch(conversation._id, query.createdAt).catch(() => undefined);
  return query;
}

function unavailable(deps: AppDeps, error: unknown, queryId: string): DomainError {
  deps.logger.error({ err: error, queryId }, "could not accept query");
  // A backing service that dropped away is usually back within seconds.
  return new DomainError("unavailable", "the query could not be queued; try again shortly", [], 5);
}
