import type { ChatTemplate } from "./model-registry.js";

export interface ChatTurn {
  user: string;
  assistant: string;
}

export interface ChatInput {
  system: string | null;
  history: readonly ChatTurn[];
  prompt: string;
}

/**
 * Formats a conversation in the model's published chat format, so the model sees
 * the roles it was trained on rather than ad-hoc "User:"/"You:" lines.
 */
export function formatChat(template: ChatTemplate, input: ChatInput): string {
  return template === "llama2" ? formatLlama2(input) : formatMistral(input);
}

// <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] {user} [/INST]
function formatLlama2({ system, history, prompt }: ChatInput): string {
  const turns = [...history.map((t) => t.user), prompt];
  const first = system ? `<<SYS>>\n${system}\n<</SYS>>\n\n${turns[0]}` : turns[0];
  let out = "";
  history.forEach((turn, i) => {
    out += `<s>[INST] ${i === 0 ? first : turn.user} [/INST] ${turn.assistant} </s>`;
  });
  out += `<s>[INST] ${history.length === 0 ? first : prompt} [/INST]`;
  return out;
}

// <s>[INST] {user} [/INST] {assistant}</s>[INST] {user} [/INST] — no system role, so it joins the first user turn.
function formatMistral({ system, history, prompt }: ChatInput): string {
  const users = [...history.map((t) => t.user), prompt];
  if (system) users[0] = `${system}\n\n${users[0]}`;
  let out = "<s>";
  history.forEach((turn, i) => {
    out += `[INST] ${users[i]} [/INST] ${turn.assistant}</s>`;
  });
  out += `[INST] ${users[users.length - 1]} [/INST]`;
  return out;
}
