/**
 * The OpenAI stand-in's deterministic "model": it echoes the last user
 * message so tests can predict the answer exactly.
 */

import { countWords, echoReply } from "../shared/reply.js";
import type { ChatMessage } from "./types.js";

/** The text of a message: its string content, or its text parts one per line. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (content === null) return "";
  return content
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join("\n");
}

/** The text of the last `user` message, or "" when there is none. */
export function lastUserMessageText(messages: readonly ChatMessage[]): string {
  const last = messages.findLast((message) => message.role === "user");
  return last === undefined ? "" : messageText(last);
}

/** `You said: <last user message, trimmed, first 200 characters>`. */
export function defaultChatReply(messages: readonly ChatMessage[]): string {
  return echoReply(lastUserMessageText(messages));
}

/** Rough prompt size: words in every message, standing in for a tokenizer. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + countWords(messageText(message)), 0);
}
