import { register } from "../client.js";
import { metric, rssMb, scrapeMetrics } from "../processes.js";
import { startBench } from "../system.js";
import { log, pause, round } from "../util.js";
import { type BatchResult, inFlight, runBatch } from "./batch.js";

interface LoopDelay {
  mean: number | null;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface MemoryResult {
  queries: number;
  workerConcurrency: number;
  /** The stand-in holds every prediction this long: none finishes while the scenario runs. */
  modelLatencyMs: number;
  /** Most queries at the model at once (the target's 1,000 if the submits got there in time). */
  inFlightReached: number;
  workerRssIdleMb: number | null;
  /** Worker RSS with `inFlightReached` queries at the model (max over the hold window), MB. */
  workerRssInFlightMb: number | null;
  /** When fewer than 1,000 got there: idle + (in flight − idle) × 1,000 / inFlightReached. An estimate. */
  workerRssAt1000EstimateMb: number | null;
  workerHeapUsedIdleMb: number | null;
  workerHeapUsedInFlightMb: number | null;
  apiRssIdleMb: number | null;
  apiRssPeakMb: number | null;
  /** Worker event-loop delay (prom-client's monitorEventLoopDelay), ms: while the queries arrived... */
  eventLoopDelayLoadingMs: LoopDelay;
  /** ...and over a quiet window with all of them held at the model. */
  eventLoopDelayHoldingMs: LoopDelay;
  holdWindowSeconds: number;
  /** [seconds since the first submit, queries at the model, worker RSS MB], every ~2 s. */
  samples: [number, number, number][];
  batch: BatchResult;
}

const QUERIES = 1000;
const LATENCY_MS = 600_000;
const SUBMIT_CAP_MS = 75_000;
const HOLD_MS = 5000;
const mb = (bytes: number | undefined) => (bytes === undefined ? null : round(bytes / 1024 / 1024, 1));

function delay(metrics: Map<string, number>): LoopDelay {
  const ms = (name: string) => {
    const seconds = metric(metrics, `llmchat_nodejs_eventloop_lag_${name}_seconds`);
    return seconds === undefined ? null : round(seconds * 1000, 2);
  };
  return { mean: ms("mean"), p50: ms("p50"), p99: ms("p99"), max: ms("max") };
}

/**
 * One worker at concurrency 1,000 and a model that never answers while we look: submit
 * 1,000 queries, then measure the worker holding them. The queries are never finished:
 * stopping the worker hands them back, and the scenario's database is dropped.
 */
export async function memory(): Promise<MemoryResult> {
  const bench = await startBench("memory", {
    standIn: { latencyMs: LATENCY_MS },
    workers: 1,
    workerEnv: { WORKER_CONCURRENCY: String(QUERIES) },
  });
  try {
    const worker = bench.workers[0];
    if (!worker) throw new Error("no worker");
    const key = await register(bench.api.url);
    const workerRssIdleMb = rssMb(worker.pid);
    const apiRssIdleMb = rssMb(bench.api.pid);
    let apiRssPeakMb = apiRssIdleMb ?? 0;
    const samples: [number, number, number][] = [];
    const started = Date.now();
    let lastSample = 0;

    log(`memory: ${QUERIES} queries to one worker at concurrency ${QUERIES}, held at the model`);
    const idle = await scrapeMetrics(worker.metricsUrl); // a scrape also resets prom-client's event-loop histogram
    const batch = await runBatch(bench, key, QUERIES, {
      capMs: SUBMIT_CAP_MS,
      submitOnly: true,
      whileRunning: () => {
        apiRssPeakMb = Math.max(apiRssPeakMb, rssMb(bench.api.pid) ?? 0);
        if (Date.now() - lastSample >= 2000) {
          lastSample = Date.now();
          samples.push([round((Date.now() - started) / 1000, 1), inFlight(bench), round(rssMb(worker.pid) ?? 0, 1)]);
        }
      },
    });
    // Let the last submitted jobs reach the model (bounded), then hold still and measure.
    for (let i = 0; i < 40 && inFlight(bench) < batch.accepted; i++) await pause(250);
    const loading = await scrapeMetrics(worker.metricsUrl);
    let rssInFlight = 0;
    const holdStart = Date.now();
    while (Date.now() - holdStart < HOLD_MS) {
      rssInFlight = Math.max(rssInFlight, rssMb(worker.pid) ?? 0);
      await pause(250);
    }
    const holding = await scrapeMetrics(worker.metricsUrl);
    const reached = inFlight(bench);
    samples.push([round((Date.now() - started) / 1000, 1), reached, round(rssInFlight, 1)]);
    const estimate =
      workerRssIdleMb !== null && reached > 0 && reached < QUERIES
        ? round(workerRssIdleMb + ((rssInFlight - workerRssIdleMb) * QUERIES) / reached, 1)
        : null;
    const result: MemoryResult = {
      queries: QUERIES,
      workerConcurrency: QUERIES,
      modelLatencyMs: LATENCY_MS,
      inFlightReached: reached,
      workerRssIdleMb: workerRssIdleMb === null ? null : round(workerRssIdleMb, 1),
      workerRssInFlightMb: rssInFlight > 0 ? round(rssInFlight, 1) : null,
      workerRssAt1000EstimateMb: estimate,
      workerHeapUsedIdleMb: mb(metric(idle, "llmchat_nodejs_heap_size_used_bytes")),
      workerHeapUsedInFlightMb: mb(metric(holding, "llmchat_nodejs_heap_size_used_bytes")),
      apiRssIdleMb: apiRssIdleMb === null ? null : round(apiRssIdleMb, 1),
      apiRssPeakMb: round(apiRssPeakMb, 1),
      eventLoopDelayLoadingMs: delay(loading),
      eventLoopDelayHoldingMs: delay(holding),
      holdWindowSeconds: HOLD_MS / 1000,
      samples,
      batch,
    };
    log(
      `memory: worker RSS ${result.workerRssIdleMb} MB idle → ${result.workerRssInFlightMb} MB with ${reached} at the model; ` +
        `event-loop delay p99 ${result.eventLoopDelayLoadingMs.p99} ms loading, ${result.eventLoopDelayHoldingMs.p99} ms holding`,
    );
    return result;
  } finally {
    await bench.stop();
  }
}
