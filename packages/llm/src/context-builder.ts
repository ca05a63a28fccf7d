import { type ChatMessage, formatChat, formatMessages } from "./chat-template.js";
import type { ModelSpec } from "./model-registry.js";
import { neutraliseMarkers } from "./neutralise.js";
import { countTokens } from "./tokenizer.js";

export interface CountedTurn {
  seq: number;
  user: string;
  assistant: string;
  userTokens: number;
  assistantTokens: number;
}

export interface ContextRequest {
  model: ModelSpec;
  system: string | null;
  summary: { text: string; throughSeq: number } | null;
  /** Earlier turns, oldest first. */
  turns: readonly CountedTurn[];
  prompt: string;
  promptTokens: number;
  /** The answer budget. */
  maxTokens: number;
}

export interface BuiltContext {
  /** The formatted prompt (template models); empty for "messages" models. */
  prompt: string;
  /** The same context as messages ("messages" models); empty for template models. */
  messages: ChatMessage[];
  /** An upper bound of the prompt's tokens (never below the exact count). */
  inputTokens: number;
  includedTurns: number;
  /** Newest turn that did not fit and is not yet covered by the summary, if any. */
  droppedThroughSeq: number | null;
}

export class PromptTooLargeError extends Error {
  constructor(
    readonly tokens: number,
    readonly fits: number,
  ) {
    super(`the prompt is ${tokens} tokens; at most ${fits} fit this model's context with its answer budget`);
    this.name = "PromptTooLargeError";
  }
}

// Pieces are counted one by one and summed; a piece can tokenize one token differently at
// its edges than inside the whole prompt, so each piece is charged a little extra.
const EDGE_MARGIN = 2;

const overheadCache = new Map<string, { base: number; perTurn: number; system: number }>();

/** Tokens the template's own markers take: for an empty prompt, per turn, and for a system block. */
function templateOverhead(model: ModelSpec) {
  const cached = overheadCache.get(model.id);
  if (cached) return cached;
  const count = (text: string) => countTokens(model.tokenizer, text);
  // A "messages" server applies a template we cannot see; Llama 2's markers are a fair stand-in.
  const template = model.template === "messages" ? "llama2" : model.template;
  const empty = { user: "", assistant: "" };
  const base = count(formatChat(template, { system: null, history: [], prompt: "" })) + EDGE_MARGIN;
  const withTurn = count(formatChat(template, { system: null, history: [empty], prompt: "" }));
  const withSystem = count(formatChat(template, { system: "x", summary: "x", history: [], prompt: "" }));
  const overhead = {
    base,
    perTurn: withTurn - base + 3 * EDGE_MARGIN,
    system: withSystem - base + 3 * EDGE_MARGIN,
  };
  overheadCache.set(model.id, overhead);
  return overhead;
}

export function promptBudget(model: ModelSpec, maxTokens: number): number {
  return model.contextWindow - maxTokens;
}

/**
 * Fits a conversation into the model's window minus the answer budget: the system prompt,
 * the summary and the newest prompt always go in; earlier turns go in newest first until
 * the next one would not fit. Turns the summary already covers are left out.
 */
export function buildContext(request: ContextRequest): BuiltContext {
  const { model } = request;
  const overhead = templateOverhead(model);
  const budget = promptBudget(model, request.maxTokens);
  const count = (text: string | null) => (text ? countTokens(model.tokenizer, neutraliseMarkers(text)) : 0);

  const systemTokens = count(request.system);
  let summary = request.summary;
  let fixed =
    overhead.base + overhead.system + systemTokens + (summary ? count(summary.text) : 0) + request.promptTokens;
  if (fixed > budget && summary) {
    // The summary is the one fixed part that may go: better no summary than no answer.
    fixed -= count(summary.text);
    summary = null;
  }
  if (fixed > budget) throw new PromptTooLargeError(fixed, budget);

  const candidates = request.turns.filter((t) => !summary || t.seq > summary.throughSeq);
  let used = fixed;
  let first = candidates.length;
  while (first > 0) {
    const turn = candidates[first - 1];
    if (!turn) break;
    const cost = turn.userTokens + turn.assistantTokens + overhead.perTurn;
    if (used + cost > budget) break;
    used += cost;
    first -= 1;
  }
  const included = candidates.slice(first);
  const dropped = candidates.slice(0, first);
  const input = { system: request.system, summary: summary?.text ?? null, history: included, prompt: request.prompt };
  return {
    prompt: model.template === "messages" ? "" : formatChat(model.template, input),
    messages: model.template === "messages" ? formatMessages(input) : [],
    inputTokens: used,
    includedTurns: included.length,
    droppedThroughSeq: dropped.length > 0 ? (dropped[dropped.length - 1]?.seq ?? null) : null,
  };
}
