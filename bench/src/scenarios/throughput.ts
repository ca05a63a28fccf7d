import { register } from "../client.js";
import { startBench } from "../system.js";
import { log, round, run } from "../util.js";
import { type BatchResult, runBatch } from "./batch.js";

/**
 * Time caps: the whole bench must end within about 10 minutes on two cores, so a run that
 * cannot finish is cut and reported as such (with what it did get done) rather than waited for.
 */
const CONCURRENCY_CAP_MS = 90_000;
const SCALE_OUT_CAP_MS = 40_000;

export interface ConcurrencyRun extends BatchResult {
  workers: number;
  concurrencyPerWorker: number;
  modelLatencyMs: number;
  /** N·L/C: what a perfect system would take. */
  idealSeconds: number;
  /** makespan ÷ ideal; when the cap cut the run short, elapsed ÷ ideal, a lower bound. */
  ratioToIdeal: number;
  ratioIsLowerBound: boolean;
}

async function concurrencyRun(
  label: string,
  queries: number,
  latencyMs: number,
  workers: number,
  concurrency: number,
  capMs: number,
): Promise<ConcurrencyRun> {
  run.check();
  const ideal = (queries * latencyMs) / (concurrency * workers) / 1000;
  const bench = await startBench(label, {
    standIn: { latencyMs },
    workers,
    workerEnv: { WORKER_CONCURRENCY: String(concurrency) },
  });
  try {
    const key = await register(bench.api.url);
    log(`${label}: ${queries} queries, model ${latencyMs} ms, ${workers} worker(s) × ${concurrency}; ideal ${ideal} s`);
    const batch = await runBatch(bench, key, queries, { capMs });
    const result: ConcurrencyRun = {
      ...batch,
      workers,
      concurrencyPerWorker: concurrency,
      modelLatencyMs: latencyMs,
      idealSeconds: round(ideal, 2),
      ratioToIdeal: round(batch.elapsedSeconds / ideal, 3),
      ratioIsLowerBound: !batch.complete,
    };
    log(
      `${label}: ${result.complete ? `makespan ${result.makespanSeconds} s` : `cut at ${capMs / 1000} s with ${result.succeeded} of ${queries} done`} ` +
        `(ideal ${ideal} s, ×${result.ratioToIdeal}${result.ratioIsLowerBound ? "+" : ""}); ${result.accepted} submitted in ` +
        `${result.submitSeconds} s; peak ${result.peakInFlight} at the model; ${result.failed} failed`,
    );
    return result;
  } finally {
    await bench.stop();
  }
}

/** One worker process at high concurrency: does it keep C model calls going all the time? */
export async function concurrency(): Promise<ConcurrencyRun> {
  return concurrencyRun("concurrency", 2000, 1000, 1, 200, CONCURRENCY_CAP_MS);
}

export interface ScaleOutResult {
  runs: ConcurrencyRun[];
  /** Throughput with 2 workers ÷ with 1 (ideal 2). */
  speedup2: number | null;
  /** Throughput with 4 workers ÷ with 1 (ideal 4). */
  speedup4: number | null;
}

/** The same load over 1, 2 and 4 worker processes at a fixed per-worker concurrency. */
export async function scaleOut(): Promise<ScaleOutResult> {
  const runs: ConcurrencyRun[] = [];
  for (const workers of [1, 2, 4]) {
    runs.push(await concurrencyRun(`scale${workers}`, 1000, 1000, workers, 50, SCALE_OUT_CAP_MS));
  }
  // Succeeded per second until the last finish (or the cap): comparable whether or not a run completed.
  const rate = (workers: number) => runs.find((r) => r.workers === workers)?.throughputPerSecond ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 3) : null);
  return { runs, speedup2: ratio(rate(2), rate(1)), speedup4: ratio(rate(4), rate(1)) };
}
