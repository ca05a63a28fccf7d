import { performance } from "node:perf_hooks";
import { pollUntilDone, register, sseUntilDone, submit } from "../client.js";
import { type Bench, startBench } from "../system.js";
import { log, run, type Summary, summarize } from "../util.js";

export interface OverheadPhases {
  /** Client sends the submit → the query's createdAt (API: auth, open-query count, numbering). */
  submitToCreated: Summary;
  /** createdAt → the stand-in creates the prediction (API insert + enqueue, BullMQ, worker's reads). */
  createdToModel: Summary;
  /** The prediction completes → the query's finishedAt (worker: stream end, records, history). */
  modelToFinished: Summary;
  /** finishedAt → the client sees it: the GET that shows it... */
  finishedToVisiblePoll: Summary;
  /** ...or the `done` event. */
  finishedToVisibleSse: Summary;
}

export interface OverheadResult {
  modelLatencyMs: number;
  pollIntervalMs: number;
  /** Submit sent → a GET shows `succeeded`, minus the model's latency. */
  pollOverheadMs: Summary;
  /** Submit sent → the `done` event arrives on /events, minus the model's latency. */
  sseOverheadMs: Summary;
  /** POST /v1/queries round trip. */
  submitMs: Summary;
  /** GETs per query in the poll run. */
  pollsPerQuery: Summary;
  /** Where the time goes, from the records and the stand-in's timestamps (both ways together). */
  phasesMs: OverheadPhases;
  /** The prediction's own time, created → completed (the stand-in's latency plus its timer slack). */
  modelMs: Summary;
  failures: number;
  /** p50 of the poll overhead over the first and the last 10 polled queries: does it grow with the data? */
  pollOverheadFirst10p50: number | null;
  pollOverheadLast10p50: number | null;
  /** Queries the database held at the end. */
  queriesInDatabase: number;
}

const LATENCY_MS = 200;
/** Per way of waiting; the two alternate, so both see the database at the same sizes. */
const QUERIES = 100;
const POLL_MS = 5;
const WARMUP = 5;
const CAP_MS = 80_000;

interface QueryTimes {
  createdAt: Date;
  finishedAt: Date | null;
}

/** The stand-in's newest prediction: with one query at a time, the one this query made. */
function lastPrediction(bench: Bench): { created: number; completed: number } | null {
  let last: { created_at: string; completed_at: string | null } | undefined;
  for (const prediction of bench.standIn.predictions.values()) last = prediction;
  if (!last?.completed_at) return null;
  return { created: Date.parse(last.created_at), completed: Date.parse(last.completed_at) };
}

/** One query at a time, so each figure is the path's own latency, not queueing. */
export async function overhead(): Promise<OverheadResult> {
  const bench = await startBench("overhead", { standIn: { latencyMs: LATENCY_MS }, workers: 1 });
  try {
    const api = bench.api.url;
    const key = await register(api);
    for (let i = 0; i < WARMUP; i++) await pollUntilDone(api, key, await submit(api, key), POLL_MS, 10_000);
    const records = bench.db.collection<QueryTimes & { _id: string }>("queries");

    log(
      `overhead: ${QUERIES} polled (every ${POLL_MS} ms) and ${QUERIES} streamed queries, alternating, model ${LATENCY_MS} ms`,
    );
    const poll: number[] = [];
    const sse: number[] = [];
    const submitMs: number[] = [];
    const polls: number[] = [];
    const phases = {
      submitToCreated: [],
      createdToModel: [],
      modelToFinished: [],
      finishedToVisiblePoll: [],
      finishedToVisibleSse: [],
    } as Record<keyof OverheadPhases, number[]>;
    const model: number[] = [];
    let failures = 0;
    const cap = Date.now() + CAP_MS;
    for (let i = 0; i < 2 * QUERIES && Date.now() < cap; i++) {
      run.check();
      const streamed = i % 2 === 1;
      const wall0 = Date.now();
      const t0 = performance.now();
      const id = await submit(api, key);
      submitMs.push(performance.now() - t0);
      let status: string;
      if (streamed) {
        status = (await sseUntilDone(api, key, id, 10_000)).status;
      } else {
        const { view, polls: count } = await pollUntilDone(api, key, id, POLL_MS, 10_000);
        status = view.status;
        polls.push(count);
      }
      const elapsed = performance.now() - t0;
      const wall1 = Date.now();
      if (status !== "succeeded") {
        failures++;
        continue;
      }
      (streamed ? sse : poll).push(elapsed - LATENCY_MS);
      // Not timed: the breakdown, from the record (server clock) and the stand-in (same clock).
      const record = await records.findOne({ _id: id }, { projection: { createdAt: 1, finishedAt: 1 } });
      const prediction = lastPrediction(bench);
      if (record?.finishedAt && prediction) {
        phases.submitToCreated.push(record.createdAt.getTime() - wall0);
        phases.createdToModel.push(prediction.created - record.createdAt.getTime());
        phases.modelToFinished.push(record.finishedAt.getTime() - prediction.completed);
        phases[streamed ? "finishedToVisibleSse" : "finishedToVisiblePoll"].push(wall1 - record.finishedAt.getTime());
        model.push(prediction.completed - prediction.created);
      }
    }
    const result: OverheadResult = {
      modelLatencyMs: LATENCY_MS,
      pollIntervalMs: POLL_MS,
      pollOverheadMs: summarize(poll),
      sseOverheadMs: summarize(sse),
      submitMs: summarize(submitMs),
      pollsPerQuery: summarize(polls, 0),
      phasesMs: {
        submitToCreated: summarize(phases.submitToCreated, 0),
        createdToModel: summarize(phases.createdToModel, 0),
        modelToFinished: summarize(phases.modelToFinished, 0),
        finishedToVisiblePoll: summarize(phases.finishedToVisiblePoll, 0),
        finishedToVisibleSse: summarize(phases.finishedToVisibleSse, 0),
      },
      modelMs: summarize(model, 0),
      failures,
      pollOverheadFirst10p50: summarize(poll.slice(0, 10)).p50,
      pollOverheadLast10p50: summarize(poll.slice(-10)).p50,
      queriesInDatabase: await bench.db.collection("queries").countDocuments({}),
    };
    log(
      `overhead: poll p50 ${result.pollOverheadMs.p50} / p99 ${result.pollOverheadMs.p99} ms; SSE p50 ${result.sseOverheadMs.p50} / p99 ${result.sseOverheadMs.p99} ms`,
    );
    return result;
  } finally {
    await bench.stop();
  }
}
