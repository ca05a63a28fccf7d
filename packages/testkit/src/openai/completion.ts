/**
 * The JSON the stand-in answers with: `chat.completion` objects, and the
 * `chat.completion.chunk` Server-Sent Events of a stream, shaped like
 * OpenAI's (and so like Ollama's, vLLM's and llama.cpp server's).
 */
import { randomBytes } from "node:crypto";
import type { CompletionUsage, FinishReason } from "./plan.js";

/** What every object and chunk of one completion shares. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string;
}

/** The stream's terminator, which is not JSON. */
export const SSE_DONE = "data: [DONE]\n\n";
/** A 200 body for `[[malformed]]` that parses as JSON but is no completion. */
export const MALFORMED_COMPLETION = { choices: "nope" } as const;
/** A stream event for `[[malformed]]` whose data is not JSON at all. */
export const MALFORMED_EVENT = "data: {not json\n\n";

export function newCompletionIdentity(model: string): CompletionIdentity {
  return { id: `chatcmpl-${randomBytes(12).toString("hex")}`, created: Math.floor(Date.now() / 1000), model };
}

export function completionObject(
  identity: CompletionIdentity,
  content: string,
  finishReason: FinishReason,
  usage: CompletionUsage,
): object {
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message: { role: "assistant", content }, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}

/**
 * One chunk of the single choice. With include_usage OpenAI sends
 * `"usage": null` on every chunk but the last, so the stand-in does too.
 */
export function choiceChunk(
  identity: CompletionIdentity,
  delta: ChunkDelta,
  finishReason: FinishReason | null,
  includeUsage: boolean,
): object {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** The extra last chunk of `stream_options.include_usage`: no choices, just usage. */
export function usageChunk(identity: CompletionIdentity, usage: CompletionUsage): object {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [],
    usage,
  };
}

/** One SSE event carrying `value` as JSON; OpenAI streams use no event names or ids. */
export function sseData(value: object): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}
