import type { SubmitQueryBody } from "@llm-chat/contracts";
import type { ConversationDoc } from "@llm-chat/store";
import type { AppDeps } from "../deps.js";
import { bodyField, DomainError } from "./domain-error.js";
import { requireModel } from "./require-model.js";

/**
 * The conversation a submit goes to: a new one (not stored yet) when none is named, or the
 * user's named one, whose model and system prompt were settled when it started.
 */
export async function resolveConversation(
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
    throw new DomainError(
      "conversation_not_found",
      `conversation ${body.conversationId} not found`,
      bodyField("/conversationId", "no such conversation"),
    );
  }
  if (body.model !== undefined && body.model !== conversation.model) {
    throw new DomainError(
      "model_mismatch",
      `this conversation uses model "${conversation.model}"`,
      bodyField("/model", `must be "${conversation.model}" or left out`),
    );
  }
  if (body.system !== undefined) {
    throw new DomainError(
      "invalid_input",
      "system can only be set when a conversation starts",
      bodyField("/system", "not allowed with conversationId"),
    );
  }
  return { conversation, isNew: false };
}
