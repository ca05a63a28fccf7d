import { performance } from "node:perf_hooks";
import { SUBMIT_BODY, terminal } from "../client.js";
import { type Cost, costSince, describeCost, markCost } from "../cost.js";
import { call, streamUntilDone } from "../http.js";
import type { Bench } from "../system.js";
import { log, round, run, type Summary, sleep, summarize } from "../util.js";
import { inFlight } from "./batch.js";

/** How a client learns its answer: GET every `pollMs`, or the `done` event of the query's stream. */
export type WaitMode = "poll" | "sse";

export interface ClientsOptions {
  clients: number;
  /** Queries each client submits one after the other (each a new conversation). */
  queriesPerClient: number;
  mode: WaitMode;
  pollMs: number;
  /** From the start: clients stop submitting and waiting there. */
  cutMs: number;
}

export interface ClientsRun {
  mode: WaitMode;
  clients: number;
  queries: number;
  pollMs: number | null;
  cutSeconds: number;
  /** The client saw `succeeded`. */
  answered: number;
  /** Refused submits, failed or canceled queries, and requests that errored. */
  failed: number;
  /** Still waiting (or never submitted) when the cut came. */
  notAnswered: number;
  /** First submit sent → the last answer seen by its client; null when not all were answered. */
  makespanSeconds: number | null;
  /** First submit sent → the last answer seen, or the cut. */
  elapsedSeconds: number;
  answersPerSecond: number;
  /** POST /v1/queries sent → 202 received. */
  submitMs: Summary;
  /** POST sent → the client sees its answer. */
  answerMs: Summary;
  /** GETs of the query per answered query (poll). */
  getsPerAnswer: number | null;
  /** Most predictions the stand-in had in progress at once (sampled every 250 ms). */
  peakAtModel: number;
  /** The first few distinct errors. */
  errorSamples: string[];
  cost: Cost;
}

/**
 * `clients` simulated clients start at once; each submits a query, waits for its answer as
 * `mode` says, and repeats `queriesPerClient` times. Clients are spread over `keys` (a few
 * users, as real traffic is: one account per client would measure registration instead).
 */
export async function runClients(bench: Bench, keys: string[], options: ClientsOptions): Promise<ClientsRun> {
  const api = bench.api.url;
  const before = await markCost(bench);
  const t0 = performance.now();
  const cut = t0 + options.cutMs;
  // A request may take until the cut: a slow answer is "not answered", not a client error.
  const left = () => Math.max(1, cut - performance.now());
  const submitMs: number[] = [];
  const answerMs: number[] = [];
  const errors = new Set<string>();
  let answered = 0;
  let failed = 0;
  let gets = 0;
  let lastAnswer = t0;
  let peakAtModel = 0;
  let running = true;
  const fail = (message: string) => {
    failed++;
    if (errors.size < 5) errors.add(message.slice(0, 160));
  };

  const waitPoll = async (key: string, id: string): Promise<string | null> => {
    while (performance.now() + options.pollMs < cut && !run.aborted) {
      await sleep(options.pollMs);
      const reply = await call(`${api}/v1/queries/${id}`, { key, timeoutMs: left() });
      gets++;
      if (reply.status !== 200) throw new Error(`GET ${reply.status} ${reply.body.slice(0, 100)}`);
      const status = (JSON.parse(reply.body) as { status: string }).status;
      if (terminal.has(status)) return status;
    }
    return null;
  };

  const client = async (index: number) => {
    const key = keys[index % keys.length] as string;
    for (let q = 0; q < options.queriesPerClient && performance.now() < cut && !run.aborted; q++) {
      const sent = performance.now();
      try {
        const reply = await call(`${api}/v1/queries`, { method: "POST", key, body: SUBMIT_BODY, timeoutMs: left() });
        if (reply.status !== 202) {
          fail(`submit ${reply.status} ${reply.body.slice(0, 100)}`);
          continue;
        }
        submitMs.push(performance.now() - sent);
        const id = (JSON.parse(reply.body) as { id: string }).id;
        const status =
          options.mode === "poll"
            ? await waitPoll(key, id)
            : await streamUntilDone(`${api}/v1/queries/${id}/events`, key, left());
        if (status === null) return; // the cut came first
        if (status !== "succeeded") {
          fail(`query ${status}`);
          continue;
        }
        answered++;
        lastAnswer = performance.now();
        answerMs.push(lastAnswer - sent);
      } catch (error) {
        if (performance.now() >= cut - 50) return;
        fail(error instanceof Error ? error.message : String(error));
      }
    }
  };

  const sampler = (async () => {
    while (running) {
      peakAtModel = Math.max(peakAtModel, inFlight(bench));
      await sleep(250);
    }
  })();
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  } finally {
    running = false;
    await sampler;
  }
  run.check();
  const queries = options.clients * options.queriesPerClient;
  const all = answered === queries;
  const elapsed = ((all ? lastAnswer : Math.min(performance.now(), cut)) - t0) / 1000;
  const cost = await costSince(bench, before, answered);
  const result: ClientsRun = {
    mode: options.mode,
    clients: options.clients,
    queries,
    pollMs: options.mode === "poll" ? options.pollMs : null,
    cutSeconds: options.cutMs / 1000,
    answered,
    failed,
    notAnswered: queries - answered - failed,
    makespanSeconds: all ? round(elapsed, 2) : null,
    elapsedSeconds: round(elapsed, 2),
    answersPerSecond: round(answered / Math.max(elapsed, 0.001), 1),
    submitMs: summarize(submitMs),
    answerMs: summarize(answerMs, 0),
    getsPerAnswer: options.mode === "poll" && answered > 0 ? round(gets / answered, 2) : null,
    peakAtModel,
    errorSamples: [...errors],
    cost,
  };
  log(
    `  ${options.mode}: ${answered} answered, ${failed} failed, ${result.notAnswered} not answered in ` +
      `${result.elapsedSeconds} s; submit p50 ${result.submitMs.p50} / p99 ${result.submitMs.p99} ms; peak ${peakAtModel} at the model`,
  );
  log(`  ${describeCost(cost)}`);
  return result;
}
