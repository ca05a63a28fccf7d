/**
 * Keeps the stand-in's predictions and drives each one through
 * starting -> processing (one output token at a time) -> terminal with at
 * most one timer at a time, so thousands in flight cost only thousands of
 * timers, however many streams watch them.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type PredictionPlan, scheduleTokens } from "./prediction-plan.js";
import type { StandInPrediction } from "./types.js";

// Completed predictions are kept for GETs, but a long-running CLI must not
// grow forever; the oldest finished ones go first.
const MAX_RETAINED = 50_000;
// Replicate ids are 26 lowercase base32 characters.
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** Told about a prediction in flight as it happens (see watch). */
export interface PredictionWatcher {
  /**
   * Token number `index` (0-based) was just appended to `output`, or, for a
   * `[[malformed]]` prediction, its whole non-text output (as JSON) just
   * replaced it.
   */
  output(index: number, token: string): void;
  /** The prediction reached a terminal status, or the stand-in stopped it where it was. */
  ended(): void;
}

interface InFlight {
  timer: NodeJS.Timeout | undefined;
  waiters: Set<() => void>;
  watchers: Set<PredictionWatcher>;
}

export interface NewPrediction {
  model: string;
  version: string;
  input: Record<string, unknown>;
  webhook?: string;
  webhookEventsFilter?: string[];
  /** Whether the prediction offers `urls.stream`. */
  stream: boolean;
  plan: PredictionPlan;
}

export type UrlsFor = (id: string) => { get: string; cancel: string; stream: string };

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
    const urls = this.#urlsFor(id);
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
      urls: { get: urls.get, cancel: urls.cancel },
    };
    if (request.stream) prediction.urls.stream = urls.stream;
    if (request.webhook !== undefined) prediction.webhook = request.webhook;
    if (request.webhookEventsFilter !== undefined) prediction.webhook_events_filter = request.webhookEventsFilter;
    this.predictions.set(id, prediction);

    const { plan } = request;
    // Monotonic, so a wall-clock step cannot bunch up or stall the tokens.
    const origin = performance.now();
    // Pollers should get a chance to see "processing", as on Replicate.
    const startAfter = Math.min(Math.floor(plan.durationMs / 5), 1000);
    const schedule = scheduleTokens(plan, startAfter);
    const flight: InFlight = { timer: undefined, waiters: new Set(), watchers: new Set() };
    this.#inFlight.set(id, flight);

    let next = 0;
    // One timer per step, each aimed at an offset from creation, so late
    // timers do not add up; tokens that fell due together go out together.
    const step = (): void => {
      const elapsed = performance.now() - origin;
      for (let due = schedule[next]; due !== undefined && due.atMs <= elapsed; due = schedule[next]) {
        this.#produce(prediction, flight, next, due.token);
        next += 1;
      }
      const upcoming = schedule[next];
      if (upcoming !== undefined) {
        // Rounded up: a timer that fires a fraction early would only re-arm.
        flight.timer = setTimeout(step, Math.ceil(upcoming.atMs - elapsed));
      } else {
        flight.timer = setTimeout(() => this.#finish(prediction, plan), Math.max(0, plan.durationMs - elapsed));
      }
    };
    flight.timer = setTimeout(() => {
      prediction.status = "processing";
      prediction.started_at = iso(Date.now());
      step();
    }, startAfter);

    this.#evictFinished();
    return prediction;
  }

  /**
   * Subscribes to a prediction in flight and returns the unsubscriber, or
   * undefined when it is not in flight (settled, stopped or unknown), in
   * which case `prediction.output` is all it will ever produce.
   */
  watch(id: string, watcher: PredictionWatcher): (() => void) | undefined {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return undefined;
    flight.watchers.add(watcher);
    return () => {
      flight.watchers.delete(watcher);
    };
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
      // Held `Prefer: wait` requests get the current state instead of
      // silence, and open streams end where they are.
      for (const fire of flight.waiters) fire();
      for (const watcher of flight.watchers) watcher.ended();
    }
    this.#inFlight.clear();
  }

  #produce(prediction: StandInPrediction, flight: InFlight, index: number, token: string): void {
    // GETs show the partial output while processing, as on Replicate.
    const output = Array.isArray(prediction.output) ? prediction.output : [];
    output.push(token);
    prediction.output = output;
    for (const watcher of flight.watchers) watcher.output(index, token);
  }

  #finish(prediction: StandInPrediction, plan: PredictionPlan): void {
    const now = Date.now();
    prediction.completed_at = iso(now);
    const { outcome } = plan;
    if (outcome.kind === "failed") {
      prediction.status = "failed";
      prediction.error = outcome.error;
    } else {
      prediction.status = "succeeded";
      // Every token was produced by now; an empty reply still ends with [].
      if (outcome.kind === "malformed") prediction.output = outcome.output;
      else prediction.output ??= [];
      prediction.metrics = {
        predict_time: seconds(prediction.started_at, now),
        total_time: seconds(prediction.created_at, now),
        input_token_count: plan.inputTokenCount,
        output_token_count: outcome.kind === "succeeded" ? outcome.tokens.length : 0,
      };
    }
    // A malformed output arrives whole at the end, so streams get it as
    // their one output event just before done.
    const flight = this.#inFlight.get(prediction.id);
    if (outcome.kind === "malformed" && flight !== undefined) {
      for (const watcher of flight.watchers) watcher.output(0, JSON.stringify(outcome.output));
    }
    this.#settle(prediction.id);
  }

  #settle(id: string): void {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return;
    this.#inFlight.delete(id);
    clearTimeout(flight.timer);
    for (const fire of flight.waiters) fire();
    for (const watcher of flight.watchers) watcher.ended();
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
