import type { GenerationParams } from "@llm-chat/contracts";
import type { ChatMessage } from "./chat-template.js";
import type { ModelSpec } from "./model-registry.js";

export interface GenerationRequest {
  model: ModelSpec;
  /** The formatted prompt, for template models. */
  prompt: string;
  /** The conversation as messages, for "messages" models. */
  messages: ChatMessage[];
  params: GenerationParams;
  signal?: AbortSignal | undefined;
  /** When the query's deadline falls: passed upstream so the provider stops too (Replicate's Cancel-After). */
  deadline?: Date | undefined;
  /** Receives the answer's text as the model writes it. */
  onDelta?: ((delta: string) => void) | undefined;
}

export interface Generation {
  output: string;
  inputTokens: number | null;
  outputTokens: number | null;
  predictTimeMs: number | null;
}

/** One way of running a model: Replicate, or an OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export interface Provider {
  readonly name: string;
  generate(request: GenerationRequest): Promise<Generation>;
}
