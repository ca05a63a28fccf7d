import { conversationIdSchema, type GenerationParams } from "@llm-chat/contracts";
import type { QueryDoc, ResponsesEcho } from "@llm-chat/store";
import { DomainError } from "../use-cases/domain-error.js";
import { type GivenMessage, toGivenContext } from "./given-messages.js";
import { fromDomainError, invalidParam, OpenAiError } from "./openai-error.js";
import type { QueryPort } from "./query-port.js";

export interface ChatSubmission {
  model: string;
  messages: readonly GivenMessage[];
  /** The conversation to append to, or null: then the messages are the whole context. */
  conversationId: string | null;
  params: GenerationParams;
  /** OpenAI's names for the list of messages and the answer budget, for errors. */
  names: { messages: "messages" | "input"; maxTokens: string; conversation: string };
  /** /v1/responses only: what its retrieves echo. */
  responses?: ResponsesEcho;
}

/**
 * Submits a chat as a query. Appending to a conversation, only the final user message is
 * new: the conversation's record is the context, and earlier messages (clients that resend
 * the whole chat each time) and system messages (a conversation keeps its system prompt)
 * are left out. Without a conversation, the messages are the whole context of a new one.
 */
export async function submitChat(port: QueryPort, userId: string, chat: ChatSubmission): Promise<QueryDoc> {
  const { model, params, names, responses } = chat;
  const context = toGivenContext(chat.messages, names.messages);
  const { prompt } = context;
  try {
    return await port.submit(
      userId,
      chat.conversationId
        ? { kind: "continue", conversationId: chat.conversationId, model, prompt, params, responses }
        : { kind: "given", model, system: context.system, turns: context.turns, prompt, params, responses },
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw fromDomainError(error, {
      "/prompt": names.messages,
      "/params/maxTokens": names.maxTokens,
      "/conversationId": names.conversation,
    });
  }
}

/** OpenAI's sampling parameters as llm-chat's (null and absent alike mean "the model's default"). */
export function generationParams(
  temperature: number | null | undefined,
  topP: number | null | undefined,
  maxTokens: number | null | undefined,
): GenerationParams {
  return {
    ...(temperature != null ? { temperature } : {}),
    ...(topP != null ? { topP } : {}),
    ...(maxTokens != null ? { maxTokens } : {}),
  };
}

/** The llm-chat extension naming a conversation to append to: a header and/or metadata.conversation_id. */
export function conversationIdFrom(header: string | undefined, metadata: Record<string, string> | undefined) {
  const fromMetadata = metadata?.conversation_id;
  if (header !== undefined && fromMetadata !== undefined && header !== fromMetadata) {
    throw invalidParam(
      "metadata.conversation_id",
      "X-Conversation-Id and metadata.conversation_id name different conversations",
    );
  }
  const given = header ?? fromMetadata;
  if (given === undefined) return null;
  const param = header !== undefined ? "X-Conversation-Id" : "metadata.conversation_id";
  if (!conversationIdSchema.safeParse(given).success) {
    throw new OpenAiError(404, `conversation ${given} not found`, "invalid_request_error", param, "not_found");
  }
  return given;
}
