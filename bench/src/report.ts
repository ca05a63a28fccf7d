import { crowdNotes, crowdReportRows, crowdTargets } from "./report-crowd.js";
import type { CostResult } from "./scenarios/cost.js";
import type { CrowdResult } from "./scenarios/crowd.js";
import type { DataSizeResult } from "./scenarios/data-size.js";
import type { FloorResult } from "./scenarios/floor.js";
import type { MemoryResult } from "./scenarios/memory.js";
import type { OverheadResult } from "./scenarios/overhead.js";
import type { SubmitResult } from "./scenarios/submit.js";
import type { ConcurrencyRun, ScaleOutResult } from "./scenarios/throughput.js";

export interface Results {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: Record<string, unknown>;
  node: string;
  git: { commit: string | null; dirty: boolean | null };
  versions: Record<string, string | null>;
  services: { redis: string; mongo: string; alreadyRunning: boolean };
  /**
   * Per scenario, shares of the machine's CPU capacity (cores × wall time) used by the bench's
   * own processes and by everything else (other work on a shared machine).
   */
  cpu: Record<string, { ownShare: number; foreignShare: number }>;
  scenarios: {
    floor?: FloorResult;
    submit?: SubmitResult;
    overhead?: OverheadResult;
    cost?: CostResult;
    crowd?: CrowdResult;
    concurrency?: ConcurrencyRun;
    scaleOut?: ScaleOutResult;
    dataSize?: DataSizeResult;
    memory?: MemoryResult;
  };
  errors: Record<string, string>;
  /** Error-level log lines of the API and worker processes, by "<scenario run>/<process>". */
  processErrors: Record<string, { count: number; samples: string[] }>;
  targets: Target[];
  notes: string[];
}

export interface Target {
  scenario: string;
  figure: string;
  value: number | null;
  unit: string;
  goal: string;
  /** null: not measured (scenario missing, or its condition was not reached). */
  met: boolean | null;
  /** How to read the value when it is not a plain measurement. */
  qualifier?: string;
}

export type TargetMaker = (
  scenario: string,
  figure: string,
  value: number | null | undefined,
  unit: string,
  goal: string,
  ok: (v: number) => boolean,
  qualifier?: string,
) => Target;

/** The Performance targets (issue 12); reported only, never a reason to fail the run. */
export function evaluateTargets(s: Results["scenarios"]): Target[] {
  const at64 = s.submit?.levels.find((l) => l.connections === 64 && !l.drainingWorkers);
  const draining = s.submit?.levels.find((l) => l.connections === 64 && l.drainingWorkers > 0);
  const t: TargetMaker = (scenario, figure, value, unit, goal, ok, qualifier) => ({
    scenario,
    figure,
    value: value ?? null,
    unit,
    goal,
    met: value === null || value === undefined ? null : ok(value),
    ...(qualifier ? { qualifier } : {}),
  });
  const c = s.concurrency;
  const m = s.memory;
  const memoryTarget = t(
    "memory",
    "worker RSS, 1,000 in flight",
    m?.workerRssInFlightMb,
    "MB",
    "≤ 200",
    (v) => v <= 200,
  );
  if (m && m.inFlightReached < m.queries) {
    // The condition was not reached: the figure is real, but not the one the target names.
    memoryTarget.met = null;
    memoryTarget.qualifier = `only ${m.inFlightReached} in flight; linear estimate at 1,000: ${m.workerRssAt1000EstimateMb ?? "?"} MB`;
  }
  return [
    t(
      "submit",
      "req/s at 64 connections, a worker draining",
      draining?.requestsPerSecond,
      "req/s",
      "≥ 600",
      (v) => v >= 600,
    ),
    t(
      "submit",
      "p99 latency at 64 connections, a worker draining",
      draining?.latencyMs.p99,
      "ms",
      "≤ 150",
      (v) => v <= 150,
    ),
    t("submit", "req/s at 64 connections", at64?.requestsPerSecond, "req/s", "≥ 600", (v) => v >= 600),
    t("submit", "p99 latency at 64 connections", at64?.latencyMs.p99, "ms", "≤ 150", (v) => v <= 150),
    t("overhead", "poll: p50 over the model's time", s.overhead?.pollOverheadMs.p50, "ms", "≤ 15", (v) => v <= 15),
    t("overhead", "SSE: p50 over the model's time", s.overhead?.sseOverheadMs.p50, "ms", "≤ 10", (v) => v <= 10),
    t(
      "concurrency",
      "makespan ÷ ideal (N·L/C)",
      c?.ratioToIdeal,
      "×",
      "≤ 1.5",
      (v) => v <= 1.5,
      c?.ratioIsLowerBound ? `lower bound: cut at ${c.capSeconds} s` : undefined,
    ),
    t("scale-out", "throughput 2 workers ÷ 1 worker", s.scaleOut?.speedup2, "×", "≥ 1.7", (v) => v >= 1.7),
    ...crowdTargets(s, t),
    memoryTarget,
  ];
}

export type Row = [scenario: string, figure: string, value: string, target?: Target];

const fmt = (value: number | null | undefined, unit = "") =>
  value === null || value === undefined ? "—" : `${value.toLocaleString("en-US")}${unit ? ` ${unit}` : ""}`;

function rows(r: Results): Row[] {
  const s = r.scenarios;
  const target = (figure: string) => r.targets.find((t) => t.figure === figure);
  const out: Row[] = [];
  if (s.floor) {
    const f = s.floor;
    out.push([
      "floor",
      `BullMQ queue.add, ${f.adds.toLocaleString("en-US")} at ${f.addConcurrency} in flight`,
      fmt(f.addsPerSecond, "adds/s"),
    ]);
    out.push(["floor", "queue.add latency p50 / p99", `${fmt(f.addLatencyMs.p50)} / ${fmt(f.addLatencyMs.p99)} ms`]);
    out.push(["floor", `no-op worker, concurrency ${f.workerConcurrency}`, fmt(f.processedPerSecond, "jobs/s")]);
    out.push([
      "floor",
      "add → completed, one at a time, p50 / p99",
      `${fmt(f.addToCompletedMs.p50)} / ${fmt(f.addToCompletedMs.p99)} ms`,
    ]);
    for (const p of f.store) {
      out.push([
        "floor (store)",
        `FerretDB, ${p.docs.toLocaleString("en-US")} queries: count open / sorted findOne / findOne by _id / findOne newest by _id+userId / updateOne by _id+status / updateOne by _id`,
        `${p.countOpenMs} / ${p.sortedFindOneMs} / ${p.findByIdMs} / ${p.findNewestByIdAndUserMs} / ${p.updateByIdAndStatusMs} / ${p.updateByIdMs} ms`,
      ]);
    }
  }
  for (const l of s.submit?.levels ?? []) {
    const drain = l.drainingWorkers > 0 ? ", a worker draining" : "";
    const tag = `${l.connections} conn${drain}`;
    const is64 = l.connections === 64;
    out.push([
      "submit",
      `req/s, ${tag}`,
      fmt(l.requestsPerSecond),
      is64 ? target(`req/s at 64 connections${drain}`) : undefined,
    ]);
    out.push([
      "submit",
      `latency p50 / p99 / max, ${tag}`,
      `${l.latencyMs.p50} / ${l.latencyMs.p99} / ${l.latencyMs.max} ms`,
      is64 ? target(`p99 latency at 64 connections${drain}`) : undefined,
    ]);
    out.push(["submit", `non-2xx / errors, ${tag}`, `${l.non2xx} / ${l.errors}`]);
    out.push(["submit", `req/s ÷ floor adds/s, ${tag}`, fmt(l.ratioToFloorAdds)]);
  }
  if (s.overhead) {
    const o = s.overhead;
    out.push([
      "overhead",
      `poll every ${o.pollIntervalMs} ms: p50 over the model's ${o.modelLatencyMs} ms (n=${o.pollOverheadMs.n})`,
      fmt(o.pollOverheadMs.p50, "ms"),
      target("poll: p50 over the model's time"),
    ]);
    out.push(["overhead", "poll: p99", fmt(o.pollOverheadMs.p99, "ms")]);
    out.push([
      "overhead",
      `SSE \`done\`: p50 (n=${o.sseOverheadMs.n})`,
      fmt(o.sseOverheadMs.p50, "ms"),
      target("SSE: p50 over the model's time"),
    ]);
    out.push(["overhead", "SSE `done`: p99", fmt(o.sseOverheadMs.p99, "ms")]);
    out.push([
      "overhead",
      "poll p50, first 10 → last 10 queries",
      `${fmt(o.pollOverheadFirst10p50)} → ${fmt(o.pollOverheadLast10p50)} ms`,
    ]);
    out.push(["overhead", "submit round trip p50 / p99", `${fmt(o.submitMs.p50)} / ${fmt(o.submitMs.p99)} ms`]);
    const ph = o.phasesMs;
    const pp = (x: { p50: number | null; p99: number | null }) => `${fmt(x.p50)} / ${fmt(x.p99)} ms`;
    out.push(["overhead", "where: submit sent → query created (API) p50 / p99", pp(ph.submitToCreated)]);
    out.push(["overhead", "where: created → prediction created (API, queue, worker) p50 / p99", pp(ph.createdToModel)]);
    out.push(["overhead", "where: prediction done → query finished (worker) p50 / p99", pp(ph.modelToFinished)]);
    out.push(["overhead", "where: finished → seen by a GET p50 / p99", pp(ph.finishedToVisiblePoll)]);
    out.push(["overhead", "where: finished → `done` event received p50 / p99", pp(ph.finishedToVisibleSse)]);
    out.push(["overhead", "the stand-in's own time, created → completed, p50", fmt(o.modelMs.p50, "ms")]);
  }
  crowdReportRows(r, out, target);
  const throughputRows = (label: string, c: ConcurrencyRun, withTarget: boolean) => {
    const shape = `N=${c.queries.toLocaleString("en-US")}, L=${c.modelLatencyMs / 1000} s, ${c.workers}×${c.concurrencyPerWorker}`;
    const w = `${c.workers} worker${c.workers > 1 ? "s" : ""}`;
    out.push([
      label,
      `makespan (${shape}; ideal ${c.idealSeconds} s)`,
      c.complete
        ? fmt(c.makespanSeconds, "s")
        : `> ${c.capSeconds} s (cut: ${c.succeeded} of ${c.queries} done, ${c.accepted} submitted)`,
    ]);
    out.push([
      label,
      `makespan ÷ ideal (${w})`,
      `${c.ratioIsLowerBound ? "> " : ""}${fmt(c.ratioToIdeal, "×")}`,
      withTarget ? target("makespan ÷ ideal (N·L/C)") : undefined,
    ]);
    out.push([
      label,
      `succeeded/s; submits/s; peak at the model (${w})`,
      `${fmt(c.throughputPerSecond)}; ${fmt(c.submitRatePerSecond)}; ${c.peakInFlight} of ${c.workers * c.concurrencyPerWorker}`,
    ]);
    if (c.failed > 0 || c.submitErrors > 0) {
      out.push([label, `failed / submit errors (${w})`, `${c.failed} / ${c.submitErrors}`]);
    }
  };
  if (s.concurrency) throughputRows("concurrency", s.concurrency, true);
  if (s.scaleOut) {
    for (const c of s.scaleOut.runs) throughputRows("scale-out", c, false);
    out.push([
      "scale-out",
      "throughput 2 workers ÷ 1",
      fmt(s.scaleOut.speedup2, "×"),
      target("throughput 2 workers ÷ 1 worker"),
    ]);
    out.push(["scale-out", "throughput 4 workers ÷ 1", fmt(s.scaleOut.speedup4, "×")]);
  }
  if (s.memory) {
    const m = s.memory;
    out.push([
      "memory",
      `worker RSS with ${m.inFlightReached} at the model (concurrency ${m.workerConcurrency})`,
      fmt(m.workerRssInFlightMb, "MB"),
      target("worker RSS, 1,000 in flight"),
    ]);
    out.push(["memory", "worker RSS idle", fmt(m.workerRssIdleMb, "MB")]);
    out.push([
      "memory",
      "worker heap used idle / holding",
      `${fmt(m.workerHeapUsedIdleMb)} / ${fmt(m.workerHeapUsedInFlightMb)} MB`,
    ]);
    const d = (x: MemoryResult["eventLoopDelayHoldingMs"]) => `${fmt(x.p50)} / ${fmt(x.p99)} / ${fmt(x.max)} ms`;
    out.push([
      "memory",
      "worker event-loop delay p50 / p99 / max, while loading (includes the 10 ms sampling interval)",
      d(m.eventLoopDelayLoadingMs),
    ]);
    out.push(["memory", `… and holding (${m.holdWindowSeconds} s)`, d(m.eventLoopDelayHoldingMs)]);
    out.push(["memory", "API RSS idle / peak", `${fmt(m.apiRssIdleMb)} / ${fmt(m.apiRssPeakMb)} MB`]);
  }
  for (const [scenario, message] of Object.entries(r.errors)) {
    out.push([scenario, "did not complete", message.split("\n")[0] ?? ""]);
  }
  return out;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdown(r: Results): string {
  const machine = r.machine as { cpuModel?: string; cpus?: number; memoryGb?: number; kernel?: string };
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const loads = Object.entries(r.cpu)
    .map(([name, c]) => `${name} ${pct(c.ownShare)} / ${pct(c.foreignShare)}`)
    .join(", ");
  const startLoad = (r.machine.loadAverageAtStart as number[] | undefined)?.[0];
  const lines = [
    "# Benchmark results",
    "",
    `Run of ${r.startedAt} (${Math.round(r.durationSeconds)} s) by \`pnpm bench\`: ${machine.cpus} × ${machine.cpuModel}, ` +
      `${machine.memoryGb} GB, Linux ${machine.kernel}; Node ${r.node}; commit ${r.git.commit?.slice(0, 12) ?? "?"}` +
      `${r.git.dirty ? " with uncommitted changes" : ""}; BullMQ ${r.versions.bullmq}, Redis ${r.versions.redis}, FerretDB ${r.versions.ferretdb}.`,
    "Redis, FerretDB, the API, the workers, the model stand-in and the load generator all share this machine's cores,",
    "so the figures compare within one run, not across machines. Targets are reported, never enforced.",
    `CPU used by the bench / by other work on the machine, per scenario: ${loads || "—"} ` +
      `(load average ${startLoad ?? "?"} when the run started).`,
    "",
    "| scenario | figure | value | target | met/missed |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const [scenario, figure, value, target] of rows(r)) {
    const verdict = !target ? "" : target.met === null ? "not measured" : target.met ? "met" : "**missed**";
    const goal = target ? `${target.goal} ${target.unit}${target.qualifier ? ` (${target.qualifier})` : ""}` : "";
    lines.push(`| ${cell(scenario)} | ${cell(figure)} | ${cell(value)} | ${cell(goal)} | ${verdict} |`);
  }
  const met = r.targets.filter((t) => t.met === true).length;
  const missed = r.targets.filter((t) => t.met === false).length;
  lines.push("", `Targets: ${met} met, ${missed} missed, ${r.targets.length - met - missed} not measured.`);
  if (r.notes.length > 0) {
    lines.push("", "## Notes (computed by the run)", "");
    for (const note of r.notes) lines.push(`- ${note}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Observations the figures themselves support; hypotheses about causes are left to people. */
export function autoNotes(r: Results): string[] {
  const notes: string[] = [];
  const s = r.scenarios;
  if (r.services.alreadyRunning) {
    notes.push(
      `Redis or FerretDB was already listening on the bench's ports (${r.services.redis}, ${r.services.mongo}) and was used as found.`,
    );
  }
  const busy = Object.entries(r.cpu).filter(([, c]) => c.foreignShare > 0.1);
  if (busy.length > 0) {
    notes.push(
      `Other work on the machine took CPU during ${busy.map(([n, c]) => `${n} (${Math.round(c.foreignShare * 100)}%)`).join(", ")}: those figures are lower than on a quiet machine.`,
    );
  }
  const store = s.floor?.store ?? [];
  const [small, large] = [store[0], store[store.length - 1]];
  if (small && large && large.docs > small.docs && large.countOpenMs > small.countOpenMs * 3) {
    const perThousand = ((large.countOpenMs - small.countOpenMs) / (large.docs - small.docs)) * 1000;
    notes.push(
      `FerretDB's filtered count, sorted findOne and find/update by _id plus another field grow with the collection ` +
        `(count: ${small.countOpenMs} ms at ${small.docs} queries, ${large.countOpenMs} ms at ${large.docs}, ~${perThousand.toFixed(0)} ms ` +
        `per 1,000 documents; newest by _id+userId ${large.findNewestByIdAndUserMs} ms; updateOne by _id+status ` +
        `${large.updateByIdAndStatusMs} ms) while findOne and updateOne by _id alone stay ` +
        `at ${large.findByIdMs} and ${large.updateByIdMs} ms: they scan the collection instead of using the indexes.`,
    );
  }
  for (const l of s.submit?.levels ?? []) {
    const secs = l.perSecond.filter((n) => n > 0);
    if (secs.length >= 6) {
      const head = secs.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
      const tail = secs.slice(-3).reduce((a, b) => a + b, 0) / 3;
      if (tail < head * 0.8) {
        notes.push(
          `submit at ${l.connections} connections slowed down during its run: ~${Math.round(head)} req/s in its first 3 s, ~${Math.round(tail)} req/s in its last 3 s.`,
        );
      }
    }
    // More stored than answered is expected: requests still in flight when autocannon stopped.
    if (l.queriesStored < l.accepted) {
      notes.push(
        `submit at ${l.connections} connections: ${l.accepted} queries answered 2xx (warm-up included) but MongoDB holds only ${l.queriesStored}.`,
      );
    }
  }
  if (s.overhead) {
    const o = s.overhead;
    notes.push(
      `overhead: ${o.pollsPerQuery.p50} GETs per polled query (p50); poll figures include up to one poll period ` +
        `(${o.pollIntervalMs} ms + a GET) of sampling delay, SSE figures do not. The two ways alternate query by query, ` +
        `so both saw the database at the same sizes (${o.queriesInDatabase} queries at the end).`,
    );
  }
  const runs = [...(s.concurrency ? [s.concurrency] : []), ...(s.scaleOut?.runs ?? [])];
  for (const c of runs) {
    const capacity = c.workers * c.concurrencyPerWorker;
    const shape = `${c.workers} worker(s) × ${c.concurrencyPerWorker}`;
    const needed = (capacity * 1000) / c.modelLatencyMs;
    if (c.submitRatePerSecond < needed) {
      notes.push(
        `${shape}: submits arrived at ${c.submitRatePerSecond}/s, below the ${needed}/s that keeps ${capacity} slots busy with a ${c.modelLatencyMs / 1000} s model: the API, not the workers, set the pace (peak ${c.peakInFlight} at the model).`,
      );
    } else if (c.peakInFlight < capacity * 0.9) {
      notes.push(`${shape}: at most ${c.peakInFlight} of ${capacity} slots had a query at the model at once.`);
    }
    if (c.acceptedPer5s.length >= 4) {
      const first = c.acceptedPer5s[0] ?? 0;
      const last = c.acceptedPer5s[c.acceptedPer5s.length - 2] ?? 0;
      if (last < first * 0.6) notes.push(`${shape}: submits per 5 s fell from ${first} to ${last} as the data grew.`);
    }
  }
  if (s.memory && s.memory.inFlightReached < s.memory.queries) {
    notes.push(
      `memory: only ${s.memory.inFlightReached} of ${s.memory.queries} queries reached the model within the ${s.memory.batch.capSeconds} s submit cap (${s.memory.batch.accepted} submitted).`,
    );
  }
  notes.push(...crowdNotes(r));
  for (const [where, log] of Object.entries(r.processErrors)) {
    notes.push(`${where} logged ${log.count} error line(s), e.g. ${log.samples.map((m) => `"${m}"`).join("; ")}.`);
  }
  for (const [scenario, message] of Object.entries(r.errors)) notes.push(`${scenario}: ${message.split("\n")[0]}`);
  return notes;
}
