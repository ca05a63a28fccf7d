import type { QueryStatus } from "@llm-chat/contracts";
import type { QueryDoc } from "@llm-chat/store";
import { unixSeconds } from "./chat-present.js";
import { responseError } from "./query-failure.js";

// OpenAI spells it `cancelled` on its wire; ours (QueryStatus) is `canceled`.
export type ResponseStatus = "queued" | "in_progress" | "completed" | "failed" | "cancelled";

const statusOf: Record<QueryStatus, ResponseStatus> = {
  queued: "queued",
  running: "in_progress",
  succeeded: "completed",
  failed: "failed",
  canceled: "cancelled",
};

export const messageItemId = (query: QueryDoc) => `msg_${query._id}`;

export function messageItem(query: QueryDoc, status: "in_progress" | "completed", text: string | null) {
  return {
    id: messageItemId(query),
    type: "message" as const,
    status,
    role: "assistant" as const,
    content: text === null ? [] : [{ type: "output_text" as const, text, annotations: [], logprobs: [] }],
  };
}

/**
 * A query as an OpenAI Responses object; its id is the query's. `as` shows it at an
 * earlier status (the snapshots a stream carries), with no output or usage yet.
 */
export function presentResponse(query: QueryDoc, as?: ResponseStatus) {
  // What the create said, as the record keeps it (older records and /v1/queries ones do not).
  const echo = query.responses;
  const status = as ?? statusOf[query.status];
  const completed = status === "completed";
  const { inputTokens, outputTokens } = query.metrics;
  return {
    id: query._id,
    object: "response" as const,
    created_at: unixSeconds(query.createdAt),
    status,
    background: echo?.background ?? true,
    model: query.model,
    output: completed ? [messageItem(query, "completed", query.output ?? "")] : [],
    error: as ? null : responseError(query),
    incomplete_details: null,
    instructions: echo?.instructions ?? null,
    max_output_tokens: query.params.maxTokens ?? null,
    temperature: query.params.temperature ?? null,
    top_p: query.params.topP ?? null,
    previous_response_id: echo?.previousResponseId ?? null,
    // llm-chat extension: the conversation this exchange belongs to.
    metadata: { conversation_id: query.conversationId },
    parallel_tool_calls: false,
    tool_choice: "none" as const,
    tools: [],
    text: { format: { type: "text" as const } },
    store: true,
    usage:
      completed && inputTokens !== null && outputTokens !== null
        ? {
            input_tokens: inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: inputTokens + outputTokens,
          }
        : null,
  };
}
