import type { QueryDoc } from "@llm-chat/store";

export const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** "length" when the answer used its whole token budget (it was cut), else "stop". */
export function finishReason(query: QueryDoc, defaultMaxTokens: number): "stop" | "length" {
  const budget = query.params.maxTokens ?? defaultMaxTokens;
  const used = query.metrics.outputTokens;
  return used !== null && used >= budget ? "length" : "stop";
}

export function chatUsage(query: QueryDoc) {
  const prompt = query.metrics.inputTokens ?? 0;
  const completion = query.metrics.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A finished query as a `chat.completion`; its id is the query's. */
export function presentCompletion(query: QueryDoc, defaultMaxTokens: number) {
  return {
    id: query._id,
    object: "chat.completion" as const,
    created: unixSeconds(query.createdAt),
    model: query.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: query.output ?? "", refusal: null },
        logprobs: null,
        finish_reason: finishReason(query, defaultMaxTokens),
      },
    ],
    usage: chatUsage(query),
  };
}

export type ChunkDelta = { role?: "assistant"; content?: string };

/** One `chat.completion.chunk`; every chunk of a stream shares the id, created and model. */
export function presentChunk(
  query: QueryDoc,
  delta: ChunkDelta,
  finish: "stop" | "length" | null,
  usage: ReturnType<typeof chatUsage> | null = null,
) {
  return {
    id: query._id,
    object: "chat.completion.chunk" as const,
    created: unixSeconds(query.createdAt),
    model: query.model,
    system_fingerprint: null,
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
}
