import { setTimeout as sleep } from "node:timers/promises";
import Replicate, { type Prediction } from "replicate";
import { classifyProviderError, ProviderError } from "./provider-error.js";
import { readPredictionStream } from "./sse-stream.js";

export interface ReplicateProviderConfig {
  apiToken: string;
  baseUrl: string;
  pollIntervalMs: number;
  /** Seconds the create call may hold the connection (Replicate's `Prefer: wait`, at most 60). */
  syncWaitSeconds?: number;
}

export interface GenerateRequest {
  /** `owner/name` or `owner/name:version`. */
  model: string;
  input: Record<string, unknown>;
  signal?: AbortSignal | undefined;
  /**
   * Receives the answer's text as the model writes it. When given, the prediction is created
   * with `stream: true` and without waiting, so its id is known at once (and a cancel or
   * deadline can always cancel it upstream).
   */
  onDelta?: ((delta: string) => void) | undefined;
}

export interface Generation {
  output: string;
  predictionId: string;
  inputTokens: number | null;
  outputTokens: number | null;
  predictTimeMs: number | null;
}

const terminal = new Set(["succeeded", "failed", "canceled", "aborted"]);

export function createReplicateProvider(config: ReplicateProviderConfig) {
  const client = new Replicate({ auth: config.apiToken, baseUrl: config.baseUrl });
  const syncWait = config.syncWaitSeconds ?? 60;

  async function cancelQuietly(id: string): Promise<void> {
    try {
      // The job's own signal is already aborted here, so the cancel needs its own bound.
      await client.predictions.cancel(id, { signal: AbortSignal.timeout(5000) });
    } catch {
      // Best effort: the prediction may have finished, and a lost cancel costs only compute.
    }
  }

  async function generate(request: GenerateRequest): Promise<Generation> {
    const { signal, onDelta } = request;
    const [path = request.model, version] = request.model.split(":");
    let prediction: Prediction;
    try {
      prediction = await client.predictions.create({
        ...(version ? { version } : { model: path }),
        input: request.input,
        ...(onDelta ? { stream: true } : { wait: syncWait }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw classifyProviderError(error, signal);
    }

    try {
      const streamUrl = prediction.urls.stream;
      if (onDelta && streamUrl && !terminal.has(prediction.status)) {
        const end = await readPredictionStream(streamUrl, config.apiToken, { onOutput: onDelta }, signal);
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

  return { generate };
}

export type ReplicateProvider = ReturnType<typeof createReplicateProvider>;

function toGeneration(prediction: Prediction): Generation {
  if (prediction.status === "failed") {
    throw new ProviderError("model_failed", `prediction failed: ${describe(prediction.error)}`);
  }
  if (prediction.status !== "succeeded") {
    throw new ProviderError("model_canceled", `prediction ended ${prediction.status}`);
  }
  const output: unknown = prediction.output;
  let text: string;
  if (typeof output === "string") text = output;
  else if (Array.isArray(output) && output.every((t) => typeof t === "string")) text = output.join("");
  else throw new ProviderError("rejected", "provider returned an output that is not text");

  const metrics = (prediction.metrics ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const predictTime = num(metrics.predict_time);
  return {
    output: text.trim(),
    predictionId: prediction.id,
    inputTokens: num(metrics.input_token_count),
    outputTokens: num(metrics.output_token_count),
    predictTimeMs: predictTime === null ? null : Math.round(predictTime * 1000),
  };
}

function describe(error: unknown): string {
  if (typeof error === "string") return error.slice(0, 500);
  return "no reason given";
}
