import { register } from "../client.js";
import { type Bench, startBench } from "../system.js";
import { log } from "../util.js";
import { type ClientsRun, runClients, type WaitMode } from "./clients.js";

/**
 * The prototype's test: a thousand clients at once, one query each, a 1 s model. Worker
 * capacity 200 in flight as one worker at WORKER_CONCURRENCY=200 (ideal 1,000 × 1 s / 200
 * = 5 s). The clients share 10 users (limits lifted by the bench's environment).
 */
export const CROWD = { clients: 1000, users: 10, latencyMs: 1000, workerConcurrency: 200, pollMs: 200, cutMs: 120_000 };
export const CROWD_IDEAL_SECONDS = (CROWD.clients * CROWD.latencyMs) / CROWD.workerConcurrency / 1000;

export interface CrowdResult {
  idealSeconds: number;
  workers: number;
  workerConcurrency: number;
  users: number;
  poll?: ClientsRun;
  sse?: ClientsRun;
}

export function startCrowdBench(label: string): Promise<Bench> {
  return startBench(label, {
    standIn: { latencyMs: CROWD.latencyMs },
    workers: 1,
    workerEnv: { WORKER_CONCURRENCY: String(CROWD.workerConcurrency) },
  });
}

export async function registerUsers(bench: Bench, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) keys.push(await register(bench.api.url));
  return keys;
}

/** The crowd on an already started system (the data-size scenario runs it on a full database). */
export function crowdOn(bench: Bench, keys: string[], mode: WaitMode): Promise<ClientsRun> {
  log(
    `crowd (${mode}): ${CROWD.clients} clients at once, model ${CROWD.latencyMs} ms, 1 worker × ${CROWD.workerConcurrency}`,
  );
  return runClients(bench, keys, {
    clients: CROWD.clients,
    queriesPerClient: 1,
    mode,
    pollMs: CROWD.pollMs,
    cutMs: CROWD.cutMs,
  });
}

export async function crowdRun(mode: WaitMode): Promise<ClientsRun> {
  const bench = await startCrowdBench(`crowd${mode}`);
  try {
    return await crowdOn(bench, await registerUsers(bench, CROWD.users), mode);
  } finally {
    await bench.stop();
  }
}

export async function crowd(): Promise<CrowdResult> {
  const result: CrowdResult = {
    idealSeconds: CROWD_IDEAL_SECONDS,
    workers: 1,
    workerConcurrency: CROWD.workerConcurrency,
    users: CROWD.users,
  };
  result.poll = await crowdRun("poll");
  result.sse = await crowdRun("sse");
  return result;
}
