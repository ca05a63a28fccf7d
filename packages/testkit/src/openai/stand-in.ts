/**
 * OpenAI-compatible stand-in: a loopback HTTP server that looks like Ollama,
 * vLLM or llama.cpp server to the official `openai` client
 * (`new OpenAI({ apiKey: "anything", baseURL: standIn.url + "/v1" })`), so
 * the system runs end to end against a self-hosted-model API without one.
 *
 * Routes (all need `Authorization: Bearer <anything non-empty>`, else 401):
 *   POST /v1/chat/completions   { model, messages, stream?, stream_options?, max_tokens?, ... }
 *   GET  /v1/models             { object: "list", data: [{ id, object: "model", owned_by }] }
 *   GET  /v1/models/{id}
 * Errors use OpenAI's body, `{"error":{"message","type","param","code"}}`:
 * 400 for a bad body, 404 `model_not_found` for a model not in `models`.
 *
 * The model echoes: the reply is `You said: <last user message>` (trimmed,
 * at most 200 characters; see reply.ts), split into word tokens.
 * Non-stream, a `chat.completion` comes after latencyMs (+ tokenDelayMs per
 * token). Streamed, `text/event-stream` carries `data: <chat.completion.chunk>`
 * events: the role chunk at once, one chunk per token spread over that time,
 * a chunk with finish_reason, a usage chunk (`choices: []`) when
 * `stream_options.include_usage`, then `data: [DONE]`. max_tokens /
 * max_completion_tokens cut the reply short with finish_reason "length".
 *
 * Markers in the last user message steer a single request:
 *   [[fail]]       400 invalid_request_error, code invalid_prompt (a refusal)
 *   [[slow:MS]]    the answer takes MS ms instead of latencyMs
 *   [[malformed]]  200 whose body is no completion: `{"choices":"nope"}`, or
 *                  a stream of `data: {not json` then `data: [DONE]`
 * rate429 / rate500 inject 429 (with Retry-After) and 500 answers.
 */
import { listen } from "../shared/http-listen.js";
import { closer, retune, tuning } from "../shared/stand-in-base.js";
import { defaultOpenAIBehaviour, mergeOpenAIBehaviour } from "./behaviour.js";
import { createOpenAIHandler, type OpenAIState } from "./handler.js";
import type { OpenAIStandIn, OpenAIStandInCounts, OpenAIStandInOptions } from "./types.js";

function emptyCounts(): OpenAIStandInCounts {
  return { completions: 0, streams: 0, sent429: 0, sent500: 0 };
}

export async function startOpenAIStandIn(options: OpenAIStandInOptions = {}): Promise<OpenAIStandIn> {
  const { host = "127.0.0.1", port = 0, ...behaviourOptions } = options;
  const behaviour = mergeOpenAIBehaviour(defaultOpenAIBehaviour(), behaviourOptions);
  const state: OpenAIState = {
    ...tuning(behaviour),
    requests: [],
    counts: emptyCounts(),
    flights: new Set(),
    startedAt: Math.floor(Date.now() / 1000),
  };
  const { server, origin } = await listen(createOpenAIHandler(state), host, port);

  return {
    url: origin,
    requests: state.requests,
    counts: state.counts,
    get inFlight() {
      return state.flights.size;
    },
    setBehaviour(patch) {
      retune(state, patch, mergeOpenAIBehaviour);
    },
    reset() {
      // Mutated in place: callers may hold references to these.
      state.requests.length = 0;
      Object.assign(state.counts, emptyCounts());
    },
    close: closer([server], () => {
      // A copy: each stopper removes itself from the set.
      for (const stop of [...state.flights]) stop();
    }),
  };
}
