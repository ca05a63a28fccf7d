import type { EventEmitter } from "node:events";
import autocannon from "autocannon";
import { register, SUBMIT_BODY } from "../client.js";
import { startBench } from "../system.js";
import { log, round, run } from "../util.js";

export interface SubmitLevel {
  connections: number;
  /** Workers draining the queue meanwhile (0: the API alone). */
  drainingWorkers: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  ok2xxPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Requests completed in each second of the run, to show any drift. */
  perSecond: number[];
  /** Queries MongoDB holds afterwards, and the 202s (warm-up included) that promised them. */
  queriesStored: number;
  accepted: number;
  /** req/s ÷ the floor's queue.add rate. */
  ratioToFloorAdds: number | null;
}

export interface SubmitResult {
  levels: SubmitLevel[];
}

export const SUBMIT_CONNECTIONS = [16, 64, 256];
/** The draining level: 64 connections while one worker at concurrency 50 answers with a 200 ms model. */
const DRAIN = { connections: 64, workerConcurrency: 50, latencyMs: 200 };
const DURATION_S = 10;
const WARMUP_S = 2;

function cannon(url: string, key: string, connections: number, duration: number, perSecond?: number[]) {
  const instance = autocannon({
    url: `${url}/v1/queries`,
    method: "POST",
    connections,
    duration,
    timeout: 10,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(SUBMIT_BODY),
  });
  if (perSecond) {
    (instance as unknown as EventEmitter).on("tick", (tick: { counter?: number }) => perSecond.push(tick.counter ?? 0));
  }
  return instance;
}

/**
 * First the API alone: no worker runs, so every request is validation, auth, the open-query count,
 * two MongoDB inserts, an event-log append and a BullMQ add. Each connection level gets a
 * fresh database and queue prefix, so the queries piled up by one level do not slow the next.
 * Then 64 connections again while a worker drains the queue (the store and Redis shared).
 */
export async function submit(floorAddsPerSecond: number | null): Promise<SubmitResult> {
  const levels: SubmitLevel[] = [];
  const plan = [
    ...SUBMIT_CONNECTIONS.map((connections) => ({ connections, workers: 0 })),
    { connections: DRAIN.connections, workers: 1 },
  ];
  for (const { connections, workers } of plan) {
    run.check();
    const bench = await startBench(`submit${connections}${workers > 0 ? "drain" : ""}`, {
      standIn: { latencyMs: DRAIN.latencyMs },
      workers,
      workerEnv: { WORKER_CONCURRENCY: String(DRAIN.workerConcurrency) },
    });
    try {
      const key = await register(bench.api.url);
      const warmup = await cannon(bench.api.url, key, Math.min(connections, 16), WARMUP_S);
      run.check();
      log(`submit: ${connections} connections for ${DURATION_S} s${workers > 0 ? ", a worker draining" : ""}`);
      const perSecond: number[] = [];
      const result = await cannon(bench.api.url, key, connections, DURATION_S, perSecond);
      const requests = result.requests.total;
      const duration = result.duration;
      const statusCodes: Record<string, number> = {};
      for (const [code, entry] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = entry.count ?? 0;
      const queriesStored = await bench.db.collection("queries").countDocuments({}, { maxTimeMS: 60_000 });
      const level: SubmitLevel = {
        connections,
        drainingWorkers: workers,
        durationSeconds: round(duration, 2),
        requests,
        requestsPerSecond: round(requests / duration, 0),
        ok2xxPerSecond: round(result["2xx"] / duration, 0),
        latencyMs: {
          mean: round(result.latency.mean, 1),
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
        },
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
        perSecond,
        queriesStored,
        accepted: warmup["2xx"] + result["2xx"],
        ratioToFloorAdds: floorAddsPerSecond ? round(requests / duration / floorAddsPerSecond, 3) : null,
      };
      log(
        `submit: ${connections} conn${workers > 0 ? " (draining)" : ""} → ${level.requestsPerSecond} req/s, p50 ${level.latencyMs.p50} ms, p99 ${level.latencyMs.p99} ms, non-2xx ${level.non2xx}`,
      );
      levels.push(level);
    } finally {
      await bench.stop();
    }
  }
  return { levels };
}
