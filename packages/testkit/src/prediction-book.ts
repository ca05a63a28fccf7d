/**
 * Keeps the stand-in's predictions and drives each one through
 * starting -> processing -> terminal with at most one timer at a time, so
 * thousands in flight cost only thousands of timers.
 */
import { randomBytes } from "node:crypto";
import type { PredictionPlan } from "./prediction-plan.js";
import type { StandInPrediction } from "./stand-in-types.js";

// Completed predictions are kept for GETs, but a long-running CLI must not
// grow forever; the oldest finished ones go first.
const MAX_RETAINED = 50_000;
// Replicate ids are 26 lowercase base32 characters.
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

interface InFlight {
  timer: NodeJS.Timeout | undefined;
  waiters: Set<() => void>;
}

export interface NewPrediction {
  model: string;
  version: string;
  input: Record<string, unknown>;
  webhook?: string;
  webhookEventsFilter?: string[];
  plan: PredictionPlan;
}

export type UrlsFor = (id: string) => { get: string; cancel: string };

function newPredictionId(): string {
  let id = "";
  for (const byte of randomBytes(26)) id += ID_ALPHABET.charAt(byte & 31);
  return id;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function seconds(fromIso: string | null, toMs: number): number {
  return fromIso === null ? 0 : (toMs - Date.parse(fromIso)) / 1000;
}

export class PredictionBook {
  readonly predictions = new Map<string, StandInPrediction>();
  readonly #inFlight = new Map<string, InFlight>();
  readonly #urlsFor: UrlsFor;

  constructor(urlsFor: UrlsFor) {
    this.#urlsFor = urlsFor;
  }

  create(request: NewPrediction): StandInPrediction {
    const id = newPredictionId();
    const prediction: StandInPrediction = {
      id,
      model: request.model,
      version: request.version,
      input: request.input,
      logs: "",
      output: null,
      error: null,
      status: "starting",
      source: "api",
      data_removed: false,
      created_at: iso(Date.now()),
      started_at: null,
      completed_at: null,
      urls: this.#urlsFor(id),
    };
    if (request.webhook !== undefined) prediction.webhook = request.webhook;
    if (request.webhookEventsFilter !== undefined) prediction.webhook_events_filter = request.webhookEventsFilter;
    this.predictions.set(id, prediction);

    const { plan } = request;
    // Pollers should get a chance to see "processing", as on Replicate.
    const startAfter = Math.min(Math.floor(plan.durationMs / 5), 1000);
    const flight: InFlight = { timer: undefined, waiters: new Set() };
    this.#inFlight.set(id, flight);
    flight.timer = setTimeout(() => {
      prediction.status = "processing";
      prediction.started_at = iso(Date.now());
      flight.timer = setTimeout(() => this.#finish(prediction, plan), plan.durationMs - startAfter);
    }, startAfter);

    this.#evictFinished();
    return prediction;
  }

  /** Returns the prediction, or undefined if the id is unknown. */
  cancel(id: string): StandInPrediction | undefined {
    const prediction = this.predictions.get(id);
    if (prediction === undefined || !this.#inFlight.has(id)) return prediction;
    prediction.status = "canceled";
    prediction.completed_at = iso(Date.now());
    this.#settle(id);
    return prediction;
  }

  /**
   * Calls `done` once the prediction is terminal or `timeoutMs` passed,
   * whichever is first. Returns a disposer for when the caller goes away.
   */
  waitFor(id: string, timeoutMs: number, done: () => void): () => void {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) {
      done();
      return () => {};
    }
    const fire = (): void => {
      dispose();
      done();
    };
    const timer = setTimeout(fire, timeoutMs);
    const dispose = (): void => {
      clearTimeout(timer);
      flight.waiters.delete(fire);
    };
    flight.waiters.add(fire);
    return dispose;
  }

  /** Freezes every prediction in flight; used on shutdown. */
  stopAll(): void {
    for (const flight of this.#inFlight.values()) {
      clearTimeout(flight.timer);
      // Held `Prefer: wait` requests get the current state instead of silence.
      for (const fire of flight.waiters) fire();
    }
    this.#inFlight.clear();
  }

  #finish(prediction: StandInPrediction, plan: PredictionPlan): void {
    const now = Date.now();
    prediction.completed_at = iso(now);
    if (plan.outcome.kind === "failed") {
      prediction.status = "failed";
      prediction.error = plan.outcome.error;
    } else {
      prediction.status = "succeeded";
      prediction.output = plan.outcome.tokens;
      prediction.metrics = {
        predict_time: seconds(prediction.started_at, now),
        total_time: seconds(prediction.created_at, now),
        input_token_count: plan.inputTokenCount,
        output_token_count: plan.outcome.tokens.length,
      };
    }
    this.#settle(prediction.id);
  }

  #settle(id: string): void {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return;
    this.#inFlight.delete(id);
    clearTimeout(flight.timer);
    for (const fire of flight.waiters) fire();
  }

  #evictFinished(): void {
    if (this.predictions.size <= MAX_RETAINED) return;
    // Map iteration is insertion order, so this walks oldest first.
    for (const id of this.predictions.keys()) {
      if (this.predictions.size <= MAX_RETAINED) return;
      if (!this.#inFlight.has(id)) this.predictions.delete(id);
    }
  }
}
