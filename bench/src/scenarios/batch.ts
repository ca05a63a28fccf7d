import { submit } from "../client.js";
import type { Bench } from "../system.js";
import { log, round, run, type Summary, sleep, summarize } from "../util.js";

export interface BatchResult {
  queries: number;
  /** Submits answered 202 (fewer than `queries` when the time cap stopped the submitting). */
  accepted: number;
  succeeded: number;
  failed: number;
  submitErrors: number;
  /** Submits still unanswered when the cap came (abandoned; the API may still have kept them). */
  cutAtCap: number;
  /** First submit sent → last submit answered. */
  submitSeconds: number;
  /** Accepted queries per second while submitting. */
  submitRatePerSecond: number;
  /** Whether every query was submitted and finished within the time cap. */
  complete: boolean;
  capSeconds: number;
  /** First submit sent → the last query's finishedAt (server clock, same machine); null if incomplete. */
  makespanSeconds: number | null;
  /** First submit → when the run ended (the last finish, or the cap). */
  elapsedSeconds: number;
  /** Succeeded queries per second over elapsedSeconds. */
  throughputPerSecond: number;
  /** Most predictions the stand-in had in progress at once (sampled every 250 ms). */
  peakInFlight: number;
  /** From the records: createdAt → startedAt, of the queries that started. */
  queueMs: Summary;
  /** Submits accepted in each 5 s of the submitting, to show any slow-down. */
  acceptedPer5s: number[];
}

interface QueryRecord {
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function inFlight(bench: Bench): number {
  let count = 0;
  for (const prediction of bench.standIn.predictions.values()) {
    if (prediction.status === "starting" || prediction.status === "processing") count++;
  }
  return count;
}

export interface BatchOptions {
  /** Concurrent submitting clients. Default 32. */
  parallel?: number;
  /** Hard cap from the first submit: submitting and waiting both stop there. */
  capMs: number;
  /** Called every 250 ms while the batch runs (for sampling). */
  whileRunning?: () => Promise<void> | void;
  /** Don't wait for the queries to finish (they are left to the scenario's cleanup). */
  submitOnly?: boolean;
}

/**
 * Submits `count` queries (each starting its own conversation) from `parallel` clients and
 * waits until MongoDB has every one finished, all within `capMs`. Whatever the cap cut short
 * is reported as such (complete: false) rather than waited for.
 */
export async function runBatch(bench: Bench, key: string, count: number, options: BatchOptions): Promise<BatchResult> {
  const api = bench.api.url;
  const queries = bench.db.collection<QueryRecord>("queries");
  let submitErrors = 0;
  let cutAtCap = 0;
  let accepted = 0;
  let peakInFlight = 0;
  let submitting = true;
  const t0 = Date.now();
  const cap = t0 + options.capMs;
  const acceptedPer5s: number[] = [];

  const sample = async () => {
    peakInFlight = Math.max(peakInFlight, inFlight(bench));
    await options.whileRunning?.();
  };
  const sampler = (async () => {
    while (submitting) {
      await sample();
      await sleep(250);
    }
  })();
  let next = 0;
  const lane = async () => {
    while (next < count && Date.now() < cap && !run.aborted) {
      next++;
      try {
        await submit(api, key, Math.max(1, Math.min(30_000, cap - Date.now())));
        accepted++;
        const slot = Math.floor((Date.now() - t0) / 5000);
        acceptedPer5s[slot] = (acceptedPer5s[slot] ?? 0) + 1;
      } catch (error) {
        if (Date.now() >= cap - 50) {
          cutAtCap++;
        } else {
          submitErrors++;
          if (submitErrors <= 3) log(`  submit failed: ${String(error)}`);
        }
      }
    }
  };
  let submitEnd = t0;
  try {
    await Promise.all(Array.from({ length: Math.min(options.parallel ?? 32, count) }, lane));
    submitEnd = Date.now();
  } finally {
    submitting = false;
    await sampler;
  }
  run.check();
  if (accepted < count) log(`  only ${accepted} of ${count} submitted within the ${options.capMs / 1000} s cap`);

  let finished = 0;
  let lastLog = Date.now();
  while (!options.submitOnly && Date.now() < cap) {
    run.check();
    await sample();
    finished = await queries.countDocuments(
      { status: { $in: ["succeeded", "failed", "canceled"] } },
      { maxTimeMS: 10_000 },
    );
    if (finished >= accepted) break;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${finished}/${accepted} finished, ${inFlight(bench)} at the model`);
    }
    // A filtered count reads every query on FerretDB (~80 µs each): asked every 250 ms it took
    // a third of the server from the system under test. Makespans come from the records'
    // finishedAt, so how often this asks only decides when the bench stops waiting.
    await sleep(1500);
  }
  const ended = Date.now();

  const records = await queries
    .find({}, { projection: { status: 1, createdAt: 1, startedAt: 1, finishedAt: 1 } })
    .toArray();
  const succeeded = records.filter((r) => r.status === "succeeded").length;
  const failed = records.filter((r) => r.status === "failed" || r.status === "canceled").length;
  const finishedAts = records.map((r) => r.finishedAt?.getTime()).filter((t): t is number => typeof t === "number");
  const complete =
    accepted + submitErrors + cutAtCap >= count &&
    cutAtCap === 0 &&
    succeeded + failed >= accepted &&
    !options.submitOnly;
  const lastFinished = finishedAts.length > 0 ? Math.max(...finishedAts) : null;
  const makespan = complete && lastFinished !== null ? (lastFinished - t0) / 1000 : null;
  const elapsed = makespan ?? (ended - t0) / 1000;
  const submitSeconds = (submitEnd - t0) / 1000;
  const started = records.filter((r) => r.startedAt !== null);
  return {
    queries: count,
    accepted,
    succeeded,
    failed,
    submitErrors,
    cutAtCap,
    submitSeconds: round(submitSeconds, 2),
    submitRatePerSecond: round(accepted / Math.max(submitSeconds, 0.001), 1),
    complete,
    capSeconds: options.capMs / 1000,
    makespanSeconds: makespan === null ? null : round(makespan, 2),
    elapsedSeconds: round(elapsed, 2),
    throughputPerSecond: round(succeeded / elapsed, 1),
    peakInFlight,
    queueMs: summarize(
      started.map((r) => (r.startedAt?.getTime() ?? 0) - r.createdAt.getTime()),
      0,
    ),
    acceptedPer5s: Array.from(acceptedPer5s, (n) => n ?? 0),
  };
}
