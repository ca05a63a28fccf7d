import { startBench } from "../system.js";
import { log } from "../util.js";
import { type ClientsRun, runClients } from "./clients.js";
import { registerUsers } from "./crowd.js";

/**
 * What one answered query costs the system: 500 queries from 50 clients, each submitting
 * and then polling every 500 ms until its answer (a 200 ms model, so about one GET each:
 * the hot path, submit → answer → first GET), one worker at concurrency 50.
 */
const COST = { clients: 50, queriesPerClient: 10, latencyMs: 200, workerConcurrency: 50, pollMs: 500, cutMs: 90_000 };

export interface CostResult extends ClientsRun {
  modelLatencyMs: number;
  workerConcurrency: number;
}

export async function cost(): Promise<CostResult> {
  const bench = await startBench("cost", {
    standIn: { latencyMs: COST.latencyMs },
    workers: 1,
    workerEnv: { WORKER_CONCURRENCY: String(COST.workerConcurrency) },
  });
  try {
    const keys = await registerUsers(bench, 5);
    log(
      `cost: ${COST.clients} clients × ${COST.queriesPerClient} queries, polling every ${COST.pollMs} ms, model ${COST.latencyMs} ms`,
    );
    const run = await runClients(bench, keys, { ...COST, mode: "poll" });
    return { ...run, modelLatencyMs: COST.latencyMs, workerConcurrency: COST.workerConcurrency };
  } finally {
    await bench.stop();
  }
}
