import type { ChatTemplate } from "./model-registry.js";
import { neutraliseMarkers } from "./neutralise.js";

export interface ChatTurn {
  user: string;
  assistant: string;
}

export interface ChatInput {
  system: string | null;
  /** What earlier, dropped turns said; placed right after the system prompt. */
  summary?: string | null;
  history: readonly ChatTurn[];
  prompt: string;
}

const SUMMARY_HEADING = "Summary of the earlier conversation:";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * The same conversation as role-tagged messages, for servers that apply the model's own
 * chat template (OpenAI-compatible APIs). Markers are neutralised all the same: some
 * servers render messages into a template where typed markers would still count.
 */
export function formatMessages(input: ChatInput): ChatMessage[] {
  const system = systemText(input.system, input.summary ?? null);
  const messages: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
  for (const turn of input.history) {
    messages.push({ role: "user", content: neutraliseMarkers(turn.user) });
    messages.push({ role: "assistant", content: neutraliseMarkers(turn.assistant) });
  }
  messages.push({ role: "user", content: neutraliseMarkers(input.prompt) });
  return messages;
}

/**
 * Formats a conversation in the model's published chat format, so the model sees the
 * roles it was trained on. Every piece of text is neutralised first: a user cannot open
 * or close a turn or a system block by typing the markers.
 */
export function formatChat(template: Exclude<ChatTemplate, "messages">, input: ChatInput): string {
  const system = systemText(input.system, input.summary ?? null);
  const history = input.history.map((t) => ({
    user: neutraliseMarkers(t.user),
    assistant: neutraliseMarkers(t.assistant),
  }));
  const prompt = neutraliseMarkers(input.prompt);
  return template === "llama2" ? formatLlama2(system, history, prompt) : formatMistral(system, history, prompt);
}

function systemText(system: string | null, summary: string | null): string | null {
  const parts = [system, summary === null ? null : `${SUMMARY_HEADING}\n${summary}`]
    .filter((part): part is string => part !== null && part.trim() !== "")
    .map(neutraliseMarkers);
  return parts.length === 0 ? null : parts.join("\n\n");
}

// <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] {user} [/INST]
function formatLlama2(system: string | null, history: readonly ChatTurn[], prompt: string): string {
  const users = [...history.map((t) => t.user), prompt];
  if (system) users[0] = `<<SYS>>\n${system}\n<</SYS>>\n\n${users[0]}`;
  let out = "";
  history.forEach((turn, i) => {
    out += `<s>[INST] ${users[i]} [/INST] ${turn.assistant} </s>`;
  });
  return `${out}<s>[INST] ${users[users.length - 1]} [/INST]`;
}

// <s>[INST] {user} [/INST] {assistant}</s>[INST] {user} [/INST] — no system role, so it joins the first user turn.
function formatMistral(system: string | null, history: readonly ChatTurn[], prompt: string): string {
  const users = [...history.map((t) => t.user), prompt];
  if (system) users[0] = `${system}\n\n${users[0]}`;
  let out = "<s>";
  history.forEach((turn, i) => {
    out += `[INST] ${users[i]} [/INST] ${turn.assistant}</s>`;
  });
  return `${out}[INST] ${users[users.length - 1]} [/INST]`;
}
