/**
 * Decides, when a completion request arrives, what the stand-in answers and
 * how long it takes, honouring the markers in the last user message (see
 * stand-in.ts).
 */

import { FAIL_MARKER, MALFORMED_MARKER, slowMarkerMs } from "../shared/prompt-markers.js";
import { splitIntoTokens } from "../shared/reply.js";
import { spreadTokens, type TimedToken } from "../shared/token-schedule.js";
import { countPromptTokens, lastUserMessageText } from "./reply.js";
import type { ChatRequest } from "./request.js";
import type { ChatReplyFunction } from "./types.js";

export const REFUSAL_MESSAGE = "stand-in: request refused as asked";

export type FinishReason = "stop" | "length";

/** OpenAI's `usage` object, counted in rough word tokens. */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ReplyPlan {
  kind: "reply";
  /** When, in ms after arrival, the answer is complete. */
  durationMs: number;
  /** When each content token is due, for streams. */
  tokens: TimedToken[];
  content: string;
  finishReason: FinishReason;
  usage: CompletionUsage;
}

export interface MalformedPlan {
  kind: "malformed";
  durationMs: number;
}

export type CompletionPlan = ReplyPlan | MalformedPlan | { kind: "refused" } | { kind: "reply-threw"; message: string };

export interface CompletionSettings {
  latencyMs: number;
  tokenDelayMs: number;
  reply: ChatReplyFunction;
}

export function planCompletion(request: ChatRequest, settings: CompletionSettings): CompletionPlan {
  const text = lastUserMessageText(request.messages);
  const latencyMs = slowMarkerMs(text) ?? settings.latencyMs;
  if (text.includes(FAIL_MARKER)) return { kind: "refused" };
  if (text.includes(MALFORMED_MARKER)) return { kind: "malformed", durationMs: latencyMs };
  let reply: string;
  try {
    reply = settings.reply(request.messages, request.body);
  } catch (error) {
    // A broken custom reply should surface as a 500 the test can see, not
    // as a crashed server.
    return { kind: "reply-threw", message: error instanceof Error ? error.message : String(error) };
  }
  const all = splitIntoTokens(reply);
  // Real servers stop at the token limit and say so in finish_reason.
  const limited = request.maxTokens !== undefined && all.length > request.maxTokens;
  const tokens = limited ? all.slice(0, request.maxTokens) : all;
  const durationMs = latencyMs + settings.tokenDelayMs * tokens.length;
  const promptTokens = countPromptTokens(request.messages);
  return {
    kind: "reply",
    durationMs,
    tokens: spreadTokens(tokens, { durationMs, tokenDelayMs: settings.tokenDelayMs }, 0),
    content: tokens.join(""),
    finishReason: limited ? "length" : "stop",
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: tokens.length,
      total_tokens: promptTokens + tokens.length,
    },
  };
}
