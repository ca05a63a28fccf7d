/** Public shapes of the OpenAI-compatible stand-in (see stand-in.ts). */
import type { ListenOptions, SharedBehaviour } from "../shared/behaviour.js";

/** One part of an array `content`; only `text` parts carry text the stand-in reads. */
export interface ChatContentPart {
  type: string;
  text?: string;
  [field: string]: unknown;
}

/** A message as the client sent it; fields beyond role and content are kept as they came. */
export interface ChatMessage {
  role: string;
  content: string | ChatContentPart[] | null;
  [field: string]: unknown;
}

/**
 * Produces the assistant's whole reply; the stand-in splits it into tokens.
 * `body` is the request body as sent (model, temperature, ...).
 */
export type ChatReplyFunction = (messages: readonly ChatMessage[], body: Readonly<Record<string, unknown>>) => string;

/** Knobs that may change while the stand-in runs (see setBehaviour): the shared ones and these. */
export interface OpenAIStandInBehaviour extends SharedBehaviour {
  /** Replaces the default echo of the last user message. */
  reply?: ChatReplyFunction;
  /** The model ids served; others get 404 model_not_found. Default ["llama3.2"]. */
  models?: readonly string[];
}

export interface OpenAIStandInOptions extends OpenAIStandInBehaviour, ListenOptions {}

/**
 * What became of a well-formed completion request. "pending" while the
 * answer is still being produced; "client-closed" when the client went away
 * first; "stopped" when close() cut it short.
 */
export type CompletionOutcome =
  | "pending"
  | "completed"
  | "malformed"
  | "refused"
  | "model-not-found"
  | "rate-limited"
  | "server-error"
  | "client-closed"
  | "stopped";

export interface RecordedCompletion {
  model: string;
  messages: readonly ChatMessage[];
  /** Whether the body carried `"stream": true`. */
  stream: boolean;
  /** Date.now() when the request arrived. */
  at: number;
  /** Updated in place as the request finishes. */
  outcome: CompletionOutcome;
  /** The whole request body, for parameters such as temperature or max_tokens. */
  body: Readonly<Record<string, unknown>>;
}

export interface OpenAIStandInCounts {
  /** Every POST /v1/chat/completions, including rejected ones. */
  completions: number;
  /** Well-formed completion requests that asked for `"stream": true`. */
  streams: number;
  sent429: number;
  /** Injected 500s, plus those answering a custom reply function that threw. */
  sent500: number;
}

export interface OpenAIStandIn {
  /** Origin without "/v1": use `new OpenAI({ baseURL: standIn.url + "/v1" })`. */
  readonly url: string;
  /** Well-formed completion requests in arrival order (cleared by reset). */
  readonly requests: readonly Readonly<RecordedCompletion>[];
  readonly counts: Readonly<OpenAIStandInCounts>;
  /** Completions whose answer is still being produced (their timers are running). */
  readonly inFlight: number;
  /** Applies to requests arriving from now on. */
  setBehaviour(patch: OpenAIStandInBehaviour): void;
  /** Clears requests and counts; completions in flight keep running. */
  reset(): void;
  /** Stops timers and drops open responses and keep-alive sockets; idempotent. */
  close(): Promise<void>;
}
