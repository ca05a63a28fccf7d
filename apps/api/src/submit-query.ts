import type { SubmitQueryBody } from "@llm-chat/contracts";
import type { ConversationDoc, QueryDoc } from "@llm-chat/store";
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
 * Records the query and enqueues its job. If the job cannot be enqueued (Redis down), the
 * records written for this request are removed again and the client gets a 503: a query
 * is either accepted in full or not at all.
 */
export async function submitQuery(deps: AppDeps, userId: string, body: SubmitQueryBody): Promise<QueryDoc> {
  const { conversations, queries } = deps.store;
  const cap = deps.config.maxOpenQueriesPerUser;
  if ((await queries.countOpenForUser(userId, cap)) >= cap) {
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
  const { conversation, isNew } = await resolveConversation(deps, userId, body);
  assertPromptFits(requireModel(deps.models, conversation.model), conversation.system, body);
  if (body.webhook) await assertWebhookTarget(body.webhook, deps.config.allowPrivateWebhooks);

  if (isNew) await conversations.insert(conversation);
  let query: QueryDoc | undefined;
  try {
    query = await queries.insertNext({
      userId,
      conversationId: conversation._id,
      model: conversation.model,
      prompt: body.prompt,
      params: body.params ?? {},
      webhook: body.webhook ?? null,
    });
    await deps.events.append(query._id, { type: "status", status: "queued" });
    await deps.producer.enqueue("query", { queryId: query._id, conversationId: conversation._id, userId }, query._id);
  } catch (error) {
    await Promise.allSettled([
      query ? queries.delete(query._id) : Promise.resolve(),
      isNew ? conversations.delete(conversation._id) : Promise.resolve(),
    ]);
    deps.logger.error({ err: error, queryId: query?._id }, "could not accept query");
    throw new HttpProblem(503, "Service unavailable", "the query could not be queued; try again shortly", undefined, {
      "Retry-After": "5",
    });
  }
  if (!isNew) void conversations.touch(conversation._id, query.createdAt).catch(() => undefined);
  return query;
}
