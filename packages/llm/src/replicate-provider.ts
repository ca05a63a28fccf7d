import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import Replicate, { type Prediction } from "replicate";
import type { Generation, GenerationRequest, Provider } from "./provider.js";
import { classifyProviderError, ProviderError } from "./provider-error.js";
import type { ProviderRateLimit } from "./provider-rate-limit.js";
import { toReplicateInput } from "./replicate-input.js";
import { readPredictionStream } from "./sse-stream.js";
import { streamAuthorization } from "./stream-authorization.js";

export interface ReplicateProviderConfig {
  apiToken: string;
  baseUrl: string;
  pollIntervalMs: number;
  rateLimit?: ProviderRateLimit | undefined;
}

const terminal = new Set(["succeeded", "failed", "canceled", "aborted"]);

interface CreateContext {
  cancelAfter?: string;
  signal?: AbortSignal | undefined;
}

/** How long a create in flight may still answer after its query was aborted. */
const CREATE_GRACE_MS = 5000;

/**
 * The create's own signal: it follows the job's, CREATE_GRACE_MS late. A create cut mid-flight
 * may already exist upstream with no id known to cancel it by; one that answers in the grace
 * period gives the id, and the prediction is canceled at once.
 */
function lateSignal(signal: AbortSignal | undefined): { signal: AbortSignal | undefined; done(): void } {
  if (!signal) return { signal: undefined, done: () => undefined };
  const late = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(() => late.abort(signal.reason), CREATE_GRACE_MS);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return {
    signal: late.signal,
    done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Every request of the official client passes through here: prediction creates wait for
 * the shared rate budget (the client's own quick retries included, so the budget is real)
 * and carry the query's deadline as Replicate's `Cancel-After`.
 */
function createFetch(config: ReplicateProviderConfig, context: AsyncLocalStorage<CreateContext>) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const isCreate = init?.method === "POST" && /\/predictions$/.test(new URL(url).pathname);
    if (!isCreate) return fetch(input, init);
    await config.rateLimit?.take();
    // Canceled while it waited for the budget: create nothing that would then need a cancel.
    context.getStore()?.signal?.throwIfAborted();
    const headers = new Headers(init.headers);
    const cancelAfter = context.getStore()?.cancelAfter;
    if (cancelAfter) headers.set("Cancel-After", cancelAfter);
    return fetch(input, { ...init, headers });
  };
}

export function createReplicateProvider(config: ReplicateProviderConfig): Provider {
  const context = new AsyncLocalStorage<CreateContext>();
  const client = new Replicate({ auth: config.apiToken, baseUrl: config.baseUrl, fetch: createFetch(config, context) });

  async function cancelQuietly(id: string): Promise<void> {
    try {
      // The job's own signal is already aborted here, so the cancel needs its own bound.
      await client.predictions.cancel(id, { signal: AbortSignal.timeout(5000) });
    } catch {
      // Best effort: the prediction may have finished, and a lost cancel costs only compute.
    }
  }

  async function generate(request: GenerationRequest): Promise<Generation> {
    const { signal, onDelta } = request;
    const [path = request.model.providerModel, version] = request.model.providerModel.split(":");
    // Replicate's minimum is 5 s; a deadline closer than that is ours to enforce alone.
    const seconds = request.deadline ? Math.ceil((request.deadline.getTime() - Date.now()) / 1000) : null;
    const cancelAfter = seconds !== null ? `${Math.max(5, seconds)}s` : undefined;

    signal?.throwIfAborted();
    let prediction: Prediction;
    const createSignal = lateSignal(signal);
    try {
      prediction = await context.run({ ...(cancelAfter ? { cancelAfter } : {}), signal }, () =>
        client.predictions.create({
          ...(version ? { version } : { model: path }),
          input: toReplicateInput(request.model, request.prompt, request.params),
          // Streaming returns at once with the prediction id, so an abort can always cancel it.
          stream: true,
          ...(createSignal.signal ? { signal: createSignal.signal } : {}),
        }),
      );
    } catch (error) {
      throw classifyProviderError(error, signal);
    } finally {
      createSignal.done();
    }
    if (signal?.aborted) {
      await cancelQuietly(prediction.id);
      signal.throwIfAborted();
    }

    try {
      const streamUrl = prediction.urls.stream;
      if (onDelta && streamUrl && !terminal.has(prediction.status)) {
        const authorization = streamAuthorization(streamUrl, config.baseUrl, config.apiToken);
        const end = await readPredictionStream(streamUrl, authorization, { onOutput: onDelta }, signal);
        if (end.ended !== "eof") prediction = await client.predictions.get(prediction.id, signal ? { signal } : {});
      }
      // Without a stream (or after it ended early), poll until the prediction is final.
      while (!terminal.has(prediction.status)) {
        await sleep(config.pollIntervalMs, undefined, signal ? { signal } : {});
        prediction = await client.predictions.get(prediction.id, signal ? { signal } : {});
      }
    } catch (error) {
      if (signal?.aborted) await cancelQuietly(prediction.id);
      throw classifyProviderError(error, signal);
    }
    return toGeneration(prediction);
  }

  return { name: "replicate", generate };
}

function toGeneration(prediction: Prediction): Generation {
  if (prediction.status === "failed") {
    throw new ProviderError("model_failed", `prediction failed: ${describe(prediction.error)}`);
  }
  // Replicate aborts a prediction that passed its Cancel-After before it could start.
  if (prediction.status === "aborted") throw new ProviderError("deadline", "prediction aborted at its deadline");
  if (prediction.status !== "succeeded") {
    throw new ProviderError("model_canceled", `prediction ended ${prediction.status}`);
  }
  const output: unknown = prediction.output;
  let text: string;
  if (typeof output === "string") text = output;
  else if (Array.isArray(output) && output.every((t) => typeof t === "string")) text = output.join("");
  else throw new ProviderError("malformed", "provider returned an output that is not text");

  const metrics = (prediction.metrics ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const predictTime = num(metrics.predict_time);
  return {
    output: text.trim(),
    inputTokens: num(metrics.input_token_count),
    outputTokens: num(metrics.output_token_count),
    predictTimeMs: predictTime === null ? null : Math.round(predictTime * 1000),
  };
}

function describe(error: unknown): string {
  if (typeof error === "string") return error.slice(0, 500);
  return "no reason given";
}
