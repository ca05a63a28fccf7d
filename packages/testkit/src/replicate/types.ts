/** Public shapes of the Replicate stand-in (see stand-in.ts). */
import type { ListenOptions, SharedBehaviour } from "../shared/behaviour.js";

export type PredictionStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled";

/** Produces the model's whole reply; the stand-in splits it into output tokens. */
export type ReplyFunction = (prompt: string, input: Record<string, unknown>) => string;

/**
 * Which predictions get `urls.stream`. Replicate today offers it on every
 * prediction; the stand-in by default only when the create asked with
 * `"stream": true`, so a consumer that forgets to ask is caught. The official
 * client's `replicate.stream()` (1.4.0) never sends `stream: true`, so tests
 * that use it need "always".
 */
export type StreamUrlPolicy = "when-requested" | "always";

/** Knobs that may change while the stand-in runs (see setBehaviour): the shared ones and these. */
export interface StandInBehaviour extends SharedBehaviour {
  /** Replaces the default echo reply. */
  reply?: ReplyFunction;
  /** Default "when-requested". */
  streamUrls?: StreamUrlPolicy;
}

export interface StandInOptions extends StandInBehaviour, ListenOptions {
  /**
   * Where `urls.stream` points. "same" (default): the API's own origin. "separate": a second
   * port of the same host, as Replicate serves streams from stream.replicate.com, not
   * api.replicate.com; it answers the same routes, so only the origin differs.
   */
  streamOrigin?: "same" | "separate";
}

/** One request for a `urls.stream`, as it arrived: where, and with which Authorization header. */
export interface RecordedStreamRequest {
  /** `http://host:port` of the listener it reached. */
  origin: string;
  authorization: string | null;
}

/** Why a well-formed create did or did not become a prediction. */
export type CreateOutcome = "created" | "rate-limited" | "server-error";

export interface RecordedCreate {
  model: string;
  input: Record<string, unknown>;
  /** Date.now() when the create arrived. */
  at: number;
  outcome: CreateOutcome;
  predictionId: string | null;
  /** Whether the body carried `"stream": true`. */
  stream: boolean;
}

export interface StandInCounts {
  /** Every create request, including rejected ones. */
  creates: number;
  gets: number;
  cancels: number;
  sent429: number;
  sent500: number;
  /** Requests for a `urls.stream` (after authentication), including 404s. */
  streams: number;
}

export interface PredictionMetrics {
  predict_time: number;
  total_time: number;
  input_token_count: number;
  output_token_count: number;
}

/**
 * The output of a `[[malformed]]` prediction: it succeeds, but with something
 * a text model never returns, so consumers' output checks get exercised.
 */
export interface NonTextOutput {
  not: "text";
}

/** Mirrors the fields of Replicate's prediction object that clients read. */
export interface StandInPrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  logs: string;
  /** Tokens so far; a NonTextOutput only for a `[[malformed]]` prediction that succeeded. */
  output: string[] | NonTextOutput | null;
  error: string | null;
  status: PredictionStatus;
  source: "api";
  data_removed: false;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  metrics?: PredictionMetrics;
  webhook?: string;
  webhook_events_filter?: string[];
  /** `stream` only when the prediction offers streaming (see StreamUrlPolicy). */
  urls: { get: string; cancel: string; stream?: string };
}

export interface ReplicateStandIn {
  /** Base URL including "/v1", ready for `new Replicate({ baseUrl })`. */
  readonly url: string;
  /** Well-formed creates in arrival order (cleared by reset). */
  readonly inputs: readonly RecordedCreate[];
  readonly predictions: ReadonlyMap<string, Readonly<StandInPrediction>>;
  readonly counts: Readonly<StandInCounts>;
  /** The origin `urls.stream` points at (the API's own unless `streamOrigin: "separate"`). */
  readonly streamOrigin: string;
  /** Stream requests in arrival order, admitted or not (cleared by reset). */
  readonly streamRequests: readonly RecordedStreamRequest[];
  /** Applies to requests and predictions created from now on. */
  setBehaviour(patch: StandInBehaviour): void;
  /** Clears inputs and counts; predictions in flight keep running. */
  reset(): void;
  /** Stops timers, drops keep-alive sockets and held requests; idempotent. */
  close(): Promise<void>;
}
