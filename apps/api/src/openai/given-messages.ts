import type { GivenTurn } from "@llm-chat/store";
import { invalidParam } from "./openai-error.js";

export interface GivenMessage {
  role: "system" | "developer" | "user" | "assistant";
  text: string;
}

export interface GivenContext {
  system: string | null;
  turns: GivenTurn[];
  prompt: string;
}

// The same bound as POST /v1/queries puts on a prompt.
const MAX_PROMPT_CHARS = 32_000;

/**
 * A chat as OpenAI clients send it, in the shape llm-chat's templates take: system and
 * developer messages joined into the system prompt (wherever they stand), consecutive
 * messages of one role joined, user/assistant pairs as turns, and the final user message(s)
 * as the prompt. `param` names the list in errors ("messages" or "input").
 */
export function toGivenContext(messages: readonly GivenMessage[], param: string): GivenContext {
  const systems: string[] = [];
  const turns: GivenTurn[] = [];
  let pending: string | null = null;
  let lastIndex = -1;
  for (const [i, message] of messages.entries()) {
    if (message.role === "system" || message.role === "developer") {
      systems.push(message.text);
      continue;
    }
    lastIndex = i;
    if (message.role === "user") {
      pending = pending === null ? message.text : `${pending}\n\n${message.text}`;
      continue;
    }
    const previous = turns[turns.length - 1];
    if (pending === null && previous) previous.assistant = `${previous.assistant}\n\n${message.text}`;
    else turns.push({ user: pending ?? "", assistant: message.text });
    pending = null;
  }
  const prompt = pending;
  if (prompt === null) {
    throw invalidParam(param, `the last ${param === "input" ? "input item" : "message"} must have the role "user"`);
  }
  const at = `${param}[${lastIndex}].content`;
  if (prompt.trim() === "") throw invalidParam(at, "the user message must not be empty");
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw invalidParam(at, `the user message must be at most ${MAX_PROMPT_CHARS} characters`);
  }
  return { system: systems.length > 0 ? systems.join("\n\n") : null, turns, prompt };
}
