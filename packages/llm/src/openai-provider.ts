import OpenAI from "openai";
import type { Generation, GenerationRequest, Provider } from "./provider.js";
import { classifyProviderError, ProviderError } from "./provider-error.js";
import type { ProviderRateLimit } from "./provider-rate-limit.js";

export interface OpenAIProviderConfig {
  /** e.g. "ollama@http://127.0.0.1:11434/v1": one provider (breaker, budget) per server. */
  name: string;
  baseUrl: string;
  apiKey: string;
  rateLimit?: ProviderRateLimit | undefined;
}

/**
 * OpenAI-compatible chat completions (Ollama, vLLM, llama.cpp server, hosted APIs) through
 * the official client. The client's own retries are off: retries are the job's, with
 * backoff, jitter and attempts counted in one place.
 */
export function createOpenAIProvider(config: OpenAIProviderConfig): Provider {
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: 10 * 60_000 });

  async function generate(request: GenerationRequest): Promise<Generation> {
    const { signal, params, model } = request;
    await config.rateLimit?.take();
    const started = Date.now();
    let text = "";
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    try {
      const stream = await client.chat.completions.create(
        {
          model: model.providerModel,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: params.maxTokens ?? model.defaultMaxTokens,
          ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
          ...(params.topP !== undefined ? { top_p: params.topP } : {}),
        },
        signal ? { signal } : {},
      );
      for await (const chunk of stream) {
        if (!Array.isArray(chunk.choices))
          throw new ProviderError("malformed", "provider sent a chunk without choices");
        const delta = chunk.choices[0]?.delta?.content;
        if (typeof delta === "string" && delta !== "") {
          text += delta;
          request.onDelta?.(delta);
        }
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (error) {
      throw classifyProviderError(error, signal);
    }
    if (text.trim() === "") throw new ProviderError("malformed", "provider returned no text");
    return {
      output: text.trim(),
      inputTokens: usage?.prompt_tokens ?? null,
      outputTokens: usage?.completion_tokens ?? null,
      predictTimeMs: Date.now() - started,
    };
  }

  return { name: config.name, generate };
}
