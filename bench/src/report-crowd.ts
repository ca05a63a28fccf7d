import type { Cost } from "./cost.js";
import type { Results, Row, Target, TargetMaker } from "./report.js";
import type { ClientsRun } from "./scenarios/clients.js";

/** The cost, crowd and data-size parts of the report: their targets, rows and notes. */

const fmt = (value: number | null | undefined, unit = "") =>
  value === null || value === undefined ? "—" : `${value.toLocaleString("en-US")}${unit ? ` ${unit}` : ""}`;

const top = (counts: Record<string, number>, n = 8) =>
  Object.entries(counts)
    .slice(0, n)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ") || "—";

export function crowdTargets(s: Results["scenarios"], t: TargetMaker): Target[] {
  const out: Target[] = [];
  const c = s.cost?.cost;
  out.push(
    t("cost", "CPU per answered query, all processes", c?.cpuMsPerAnswer.total, "ms", "≤ 8", (v) => v <= 8),
    t("cost", "store writes per answered query", c?.store.perAnswer.writes, "", "≤ 3", (v) => v <= 3),
    t("cost", "store reads per answered query", c?.store.perAnswer.reads, "", "≤ 2", (v) => v <= 2),
  );
  for (const mode of ["poll", "sse"] as const) {
    const r = s.crowd?.[mode];
    const ideal = s.crowd?.idealSeconds ?? 5;
    out.push(
      t(`crowd (${mode})`, `crowd ${mode}: answered of 1,000, none failed`, r?.answered, "", "= 1,000", (v) => {
        return v === r?.queries && r.failed === 0;
      }),
      t(
        `crowd (${mode})`,
        `crowd ${mode}: makespan ÷ ideal`,
        r ? Number((r.elapsedSeconds / ideal).toFixed(2)) : null,
        "×",
        "≤ 2",
        (v) => r?.makespanSeconds !== null && v <= 2,
        r && r.makespanSeconds === null ? `lower bound: cut at ${r.cutSeconds} s` : undefined,
      ),
      t(`crowd (${mode})`, `crowd ${mode}: submit p99`, r?.submitMs.p99, "ms", "≤ 250", (v) => v <= 250),
    );
  }
  for (const [name, value] of Object.entries(s.dataSize?.ratios ?? {})) {
    if (name === "crowdAnswered") continue;
    out.push(t("data size", `100,000 stored ÷ empty: ${name}`, value, "×", "≤ 1.2", (v) => v <= 1.2));
  }
  return out;
}

function costRows(out: Row[], scenario: string, c: Cost, target?: (figure: string) => Target | undefined): void {
  const cpu = c.cpuMsPerAnswer;
  // costSince divides by 1 when nothing was answered: then the figures are totals, and say so.
  const per = c.answered === 0 ? "in total (none answered)" : "per answered query";
  // Totals are no per-answer figure: no target is met or missed by them.
  const goal = c.answered === 0 ? undefined : target;
  const pg = cpu.postgres === null ? "not running" : fmt(cpu.postgres);
  out.push([
    scenario,
    `CPU ms ${per}, all processes (n=${c.answered})`,
    fmt(cpu.total, "ms"),
    goal?.("CPU per answered query, all processes"),
  ]);
  out.push([
    scenario,
    "… by process: API / workers / Redis / FerretDB / PostgreSQL",
    `${fmt(cpu.api)} / ${fmt(cpu.worker)} / ${fmt(cpu.redis)} / ${fmt(cpu.ferretdb)} / ${pg} ms`,
  ]);
  out.push([scenario, "… outside the system: load generator + model stand-in", fmt(c.outsideCpuMsPerAnswer, "ms")]);
  const s = c.store.perAnswer;
  out.push([
    scenario,
    `store commands ${per}: writes / reads / other`,
    `${fmt(s.writes)} / ${fmt(s.reads)} / ${fmt(s.other)}`,
  ]);
  if (goal) {
    out.push([scenario, "store writes per answered query", fmt(s.writes), goal("store writes per answered query")]);
    out.push([scenario, "store reads per answered query", fmt(s.reads), goal("store reads per answered query")]);
  }
  out.push([scenario, `store commands ${per}, API`, top(c.store.byProcess.api)]);
  out.push([scenario, `store commands ${per}, workers`, top(c.store.byProcess.worker)]);
  out.push([
    scenario,
    `Redis commands ${per} (scripts: ${fmt(c.redis.scriptsPerAnswer)})`,
    `${fmt(c.redis.perAnswer)}: ${top(c.redis.byCommand)}`,
  ]);
}

function crowdRows(
  out: Row[],
  scenario: string,
  r: ClientsRun,
  ideal: number,
  target: (f: string) => Target | undefined,
) {
  const mode = r.mode;
  out.push([
    scenario,
    `answered / failed / not answered within ${r.cutSeconds} s (of ${r.queries.toLocaleString("en-US")})`,
    `${r.answered} / ${r.failed} / ${r.notAnswered}`,
    target(`crowd ${mode}: answered of 1,000, none failed`),
  ]);
  out.push([
    scenario,
    `makespan (ideal ${ideal} s)`,
    r.makespanSeconds === null ? `> ${r.cutSeconds} s (cut)` : fmt(r.makespanSeconds, "s"),
  ]);
  out.push([
    scenario,
    "makespan ÷ ideal",
    `${r.makespanSeconds === null ? "> " : ""}${fmt(Number((r.elapsedSeconds / ideal).toFixed(2)), "×")}`,
    target(`crowd ${mode}: makespan ÷ ideal`),
  ]);
  out.push([
    scenario,
    "submit p50 / p99",
    `${fmt(r.submitMs.p50)} / ${fmt(r.submitMs.p99)} ms`,
    target(`crowd ${mode}: submit p99`),
  ]);
  out.push([scenario, "submit → answer seen p50 / p99", `${fmt(r.answerMs.p50)} / ${fmt(r.answerMs.p99)} ms`]);
  out.push([
    scenario,
    "answers/s; peak at the model; GETs per answer",
    `${fmt(r.answersPerSecond)}; ${r.peakAtModel}; ${fmt(r.getsPerAnswer)}`,
  ]);
  costRows(out, scenario, r.cost);
}

export function crowdReportRows(r: Results, out: Row[], target: (figure: string) => Target | undefined): void {
  const s = r.scenarios;
  if (s.cost) {
    const c = s.cost;
    out.push([
      "cost",
      `${c.clients} clients × ${c.queries / c.clients} queries, poll every ${c.pollMs} ms, model ${c.modelLatencyMs} ms, 1 worker × ${c.workerConcurrency}: answered / failed; GETs per answer`,
      `${c.answered} / ${c.failed}; ${fmt(c.getsPerAnswer)}`,
    ]);
    costRows(out, "cost", c.cost, target);
  }
  const ideal = s.crowd?.idealSeconds ?? 5;
  for (const mode of ["poll", "sse"] as const) {
    const run = s.crowd?.[mode];
    if (run) crowdRows(out, `crowd (${mode})`, run, ideal, target);
  }
  const d = s.dataSize;
  if (d) {
    const p = d.preload;
    out.push([
      "data size",
      "preloaded queries / conversations / messages (insertMany)",
      `${p.queries.toLocaleString("en-US")} / ${p.conversations.toLocaleString("en-US")} / ${p.messages.toLocaleString("en-US")} in ${p.seconds} s${p.cut ? " (cut by its cap)" : ""}`,
    ]);
    for (const [name, empty] of Object.entries(d.empty.routes.routes)) {
      const loaded = d.loaded.routes.routes[name as keyof typeof d.loaded.routes.routes];
      out.push([
        "data size",
        `${name} p50, empty → stored (n=${empty.n} → ${loaded.n})`,
        `${fmt(empty.p50)} → ${loaded.timedOut > 0 ? "≥ " : ""}${fmt(loaded.p50)} ms${loaded.timedOut > 0 ? " (timed out)" : ""}`,
        target(`100,000 stored ÷ empty: ${name}`),
      ]);
    }
    const [e, l] = [d.empty.crowd, d.loaded.crowd];
    if (e && l) {
      out.push([
        "data size",
        `crowd (poll) answered, empty → stored${d.empty.crowdFromScenario ? " (empty: the crowd scenario's run)" : ""}`,
        `${e.answered} → ${l.answered}`,
      ]);
      out.push([
        "data size",
        "crowd (poll) makespan (or cut), empty → stored",
        `${e.elapsedSeconds} → ${l.elapsedSeconds} s`,
        target("100,000 stored ÷ empty: crowdElapsed"),
      ]);
      out.push([
        "data size",
        "crowd (poll) submit p99, empty → stored",
        `${fmt(e.submitMs.p99)} → ${fmt(l.submitMs.p99)} ms`,
        target("100,000 stored ÷ empty: crowdSubmitP99"),
      ]);
      costRows(out, "data size (stored)", l.cost);
    }
  }
}

export function crowdNotes(r: Results): string[] {
  const notes: string[] = [];
  const s = r.scenarios;
  const costs = [s.cost?.cost, s.crowd?.poll?.cost, s.crowd?.sse?.cost].filter((c) => c !== undefined);
  if (costs.some((c) => c.postgres === "not running")) {
    notes.push(
      "PostgreSQL: no postmaster with its data under .data/ was running (FerretDB on SQLite); its CPU is not part of the sum.",
    );
  }
  if (costs.length > 0) {
    notes.push(
      "Cost figures are per answered query over the whole scenario (polls, streams and idle polling included): CPU from /proc " +
        "(threads and reaped children included), store commands from the API's and workers' llmchat_store_commands_total, " +
        "Redis commands from INFO commandstats (Redis 7 also counts the commands its scripts run).",
    );
  }
  for (const mode of ["poll", "sse"] as const) {
    const run = s.crowd?.[mode];
    if (run && run.errorSamples.length > 0)
      notes.push(`crowd (${mode}) errors, e.g. ${run.errorSamples.map((e) => `"${e}"`).join("; ")}.`);
  }
  return notes;
}
