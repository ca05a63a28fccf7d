import type { SubmitQueryBody } from "@llm-chat/contracts";
import { type ConversationDoc, DuplicateKeyError, type NewQuery, type QueryDoc } from "@llm-chat/store";
import type { AppDeps } from "./deps.js";
import { HttpProblem } from "./http/problem.js";
import { assertPromptFits } from "./prompt-fits.js";
import { requireModel } from "./routes/require-model.js";
import { assertWebhookTarget } from "./webhook-target.js";

const field = (pointer: string, message: string) => [{ in: "body" as const, pointer, message }];

async function resolveConversation(
  deps: AppDeps,
  userId: string,
  body: SubmitQueryBody,
): Promise<{ conversation: ConversationDoc; isNew: boolean }> {
  const { conversations } = deps.store;
  if (body.conversationId === undefined) {
    const model = requireModel(deps.models, body.model ?? deps.config.defaultModel);
    const conversation = conversations.build({ userId, model: model.id, system: body.system });
    return { conversation, isNew: true };
  }
  const conversation = await conversations.findForUser(body.conversationId, userId);
  if (!conversation) {
    throw new HttpProblem(
      404,
      "Conversation not found",
      `conversation ${body.conversationId} not found`,
      field("/conversationId", "no such conversation"),
    );
  }
  if (body.model !== undefined && body.model !== conversation.model) {
    throw new HttpProblem(
      422,
      "Model mismatch",
      `this conversation uses model "${conversation.model}"`,
      field("/model", `must be "${conversation.model}" or left out`),
    );
  }
  if (body.system !== undefined) {
    throw new HttpProblem(
      422,
      "Validation failed",
      "system can only be set when a conversation starts",
      field("/system", "not allowed with conversationId"),
    );
  }
  return { conversation, isNew: false };
}

/**
 * Takes one of the user's open-query places for `queryId`. When all are taken, the holders
 * are checked against their records once: a place whose query ended without saying so (a
 * process died at the wrong moment, or its conversation was deleted) is given back.
 */
async function reservePlace(deps: AppDeps, userId: string, queryId: string): Promise<void> {
  const cap = deps.config.maxOpenQueriesPerUser;
  const { ledger } = deps;
  if (await ledger.reserve(userId, queryId, cap)) return;
  const holders = await ledger.openOf(userId);
  const open = await Promise.all(holders.map((id) => deps.lifecycle.isOpen(id)));
  await Promise.all(holders.filter((_, i) => !open[i]).map((id) => ledger.release(userId, id)));
  if (await ledger.reserve(userId, queryId, cap)) return;
  throw new HttpProblem(
    429,
    "Too many open queries",
    `at most ${cap} queries may be queued or running at once`,
    undefined,
    {
      "Retry-After": "5",
    },
  );
}

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

/**
 * Records the query and enqueues its job. If the job cannot be enqueued (Redis down), the
 * records written for this request are removed again and the client gets a 503: a query
 * is either accepted in full or not at all. `id` is given when it was decided beforehand
 * (an idempotency key's record names it), so a retry can only ever accept the same query.
 */
export async function submitQuery(
  deps: AppDeps,
  userId: string,
  body: SubmitQueryBody,
  id: string = deps.store.queries.newId(),
): Promise<QueryDoc> {
  const { conversations } = deps.store;
  const { conversation, isNew } = await resolveConversation(deps, userId, body);
  assertPromptFits(requireModel(deps.models, conversation.model), conversation.system, body);
  if (body.webhook) await assertWebhookTarget(body.webhook, deps.config.allowPrivateWebhooks);

  try {
    await reservePlace(deps, userId, id);
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
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

function unavailable(deps: AppDeps, error: unknown, queryId: string): HttpProblem {
  deps.logger.error({ err: error, queryId }, "could not accept query");
  return new HttpProblem(503, "Service unavailable", "the query could not be queued; try again shortly", undefined, {
    "Retry-After": "5",
  });
}
