import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { watchCpu } from "./cpu.js";
import { errorLogs, killAll, stopAll } from "./processes.js";
import { autoNotes, evaluateTargets, markdown, type Results } from "./report.js";
import { cost } from "./scenarios/cost.js";
import { crowd } from "./scenarios/crowd.js";
import { dataSize } from "./scenarios/data-size.js";
import { floor } from "./scenarios/floor.js";
import { memory } from "./scenarios/memory.js";
import { overhead } from "./scenarios/overhead.js";
import { submit } from "./scenarios/submit.js";
import { concurrency, scaleOut } from "./scenarios/throughput.js";
import {
  ensureServices,
  MONGO_PORT,
  mongoBase,
  REDIS_PORT,
  redisUrl,
  startServices,
  stopServices,
} from "./services.js";
import { sweepLeftovers } from "./system.js";
import { Aborted, log, root, run } from "./util.js";

/** The scenarios' own work must end by then; stopping everything takes the rest. */
const SCENARIO_BUDGET_MS = 26 * 60_000;
/** If anything hangs past this, kill everything and leave. */
const HARD_LIMIT_MS = 30 * 60_000;

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string | null {
  try {
    const file = `${root}bench/node_modules/${name}/package.json`;
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

async function serverVersions(): Promise<{ redis: string | null; ferretdb: string | null }> {
  let redis: string | null = null;
  let ferretdb: string | null = null;
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    redis = (await client.info("server")).match(/redis_version:(\S+)/)?.[1] ?? null;
  } catch {
    // reported as unknown
  } finally {
    client.disconnect();
  }
  const mongo = new MongoClient(mongoBase, { serverSelectionTimeoutMS: 5000 });
  try {
    await mongo.connect();
    const info = await mongo.db("admin").command({ buildInfo: 1 });
    // Built from tools/ferretdb, FerretDB reports its own version as "unknown": go.mod says it.
    const goMod = readFileSync(`${root}tools/ferretdb/go.mod`, "utf8").match(/FerretDB\/FerretDB (v\S+)/)?.[1];
    ferretdb = `${goMod ?? String(info.ferretdbVersion)} (MongoDB ${String(info.version)} wire)`;
  } catch {
    // reported as unknown
  } finally {
    await mongo.close();
  }
  return { redis, ferretdb };
}

/** Rough wall time each scenario needs, to skip one rather than overrun the budget. */
const needs = {
  floor: 30_000,
  submit: 75_000,
  overhead: 90_000,
  cost: 60_000,
  crowd: 270_000,
  concurrency: 100_000,
  scaleOut: 145_000,
  dataSize: 600_000,
  memory: 95_000,
};

/**
 * `pnpm bench -- --only crowd,cost` (or BENCH_ONLY=crowd,cost) runs just those, in the usual
 * order; names are case- and dash-insensitive (data-size = dataSize). RESULTS.md is then left
 * alone and the table goes beside the JSON instead.
 */
function onlyScenarios(): string[] | null {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const at = args.findIndex((arg) => arg === "--only" || arg.startsWith("--only="));
  const raw = at < 0 ? process.env.BENCH_ONLY : (args[at]?.split("=")[1] ?? args[at + 1]);
  if (!raw) return null;
  const key = (name: string) => name.replace(/-/g, "").toLowerCase();
  return raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => Object.keys(needs).find((known) => key(known) === key(name)) ?? name);
}
const only = onlyScenarios();

/** What RESULTS.md holds from this marker on (e.g. the baseline before a change) survives a new run. */
const KEEP_MARKER = "<!-- kept across runs: everything below -->";
function keptSections(): string {
  try {
    const current = readFileSync(`${root}bench/RESULTS.md`, "utf8");
    const at = current.indexOf(KEEP_MARKER);
    return at < 0 ? "" : `\n${current.slice(at)}`;
  } catch {
    return "";
  }
}

async function main(): Promise<number> {
  const unknown = (only ?? []).filter((name) => !(name in needs));
  if (unknown.length > 0) {
    console.error(
      `bench: --only / BENCH_ONLY names unknown scenarios (${unknown.join(", ")}); known: ${Object.keys(needs).join(", ")}`,
    );
    return 2;
  }
  const started = new Date();
  const cpu = watchCpu();
  run.deadline = Date.now() + SCENARIO_BUDGET_MS;
  let servicesStarted = false;
  let cleaning: Promise<void> | null = null;
  const cleanup = () => {
    cleaning ??= (async () => {
      await stopAll().catch(() => undefined);
      if (servicesStarted) stopServices();
    })();
    return cleaning;
  };
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      log(`${signal}: stopping the run and cleaning up (again to force)`);
      run.abort(`interrupted by ${signal}`);
      return;
    }
    killAll();
    if (servicesStarted) stopServices();
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  setTimeout(() => {
    log(`still running after ${HARD_LIMIT_MS / 60_000} min: killing everything`);
    killAll();
    if (servicesStarted) stopServices();
    process.exit(2);
  }, HARD_LIMIT_MS).unref();

  const results: Results = {
    startedAt: started.toISOString(),
    finishedAt: "",
    durationSeconds: 0,
    machine: {
      hostname: os.hostname(),
      platform: os.platform(),
      arch: os.arch(),
      kernel: os.release(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    },
    node: process.version,
    git: { commit: git(["rev-parse", "HEAD"]), dirty: (git(["status", "--porcelain"]) ?? "") !== "" },
    versions: {
      bullmq: packageVersion("bullmq"),
      autocannon: packageVersion("autocannon"),
      redis: null,
      ferretdb: null,
    },
    services: { redis: `127.0.0.1:${REDIS_PORT}`, mongo: `127.0.0.1:${MONGO_PORT}`, alreadyRunning: false },
    cpu: {},
    scenarios: {},
    errors: {},
    processErrors: {},
    targets: [],
    notes: [],
  };
  if (only) results.notes.push(`Only these scenarios ran: ${only.join(", ")}.`);
  if (process.env.BENCH_CPU_PROF)
    results.notes.push(`BENCH_CPU_PROF=${process.env.BENCH_CPU_PROF}: that app ran under --cpu-prof, which slows it.`);

  try {
    log(`starting Redis on ${REDIS_PORT} and FerretDB on ${MONGO_PORT}`);
    servicesStarted = true;
    results.services.alreadyRunning = (await startServices()).shared;
    Object.assign(results.versions, await serverVersions());
    const swept = await sweepLeftovers();
    if (swept > 0) log(`removed ${swept} database(s) an earlier interrupted run left behind`);

    const scenario = async <T>(name: keyof typeof needs, body: () => Promise<T>): Promise<T | undefined> => {
      if (run.aborted) return undefined;
      if (only && !only.includes(name)) return undefined;
      if (run.left() < needs[name]) {
        results.errors[name] =
          `skipped: ${Math.round(run.left() / 1000)} s left of the time budget, it needs ~${needs[name] / 1000} s`;
        log(`${name}: ${results.errors[name]}`);
        return undefined;
      }
      log(`── ${name}`);
      if (!(await ensureServices())) {
        results.notes.push(
          `Redis or FerretDB had stopped (from outside the bench) before ${name}; they were started again.`,
        );
      }
      const before = cpu.mark();
      try {
        return await body();
      } catch (error) {
        if (error instanceof Aborted) throw error;
        results.errors[name] = error instanceof Error ? error.message : String(error);
        log(`${name} failed: ${results.errors[name]}`);
        await stopAll();
        return undefined;
      } finally {
        const shares = cpu.since(before);
        if (shares) results.cpu[name] = shares;
      }
    };

    results.scenarios.floor = await scenario("floor", floor);
    results.scenarios.submit = await scenario("submit", () => submit(results.scenarios.floor?.addsPerSecond ?? null));
    results.scenarios.overhead = await scenario("overhead", overhead);
    results.scenarios.cost = await scenario("cost", cost);
    results.scenarios.crowd = await scenario("crowd", crowd);
    results.scenarios.concurrency = await scenario("concurrency", concurrency);
    results.scenarios.scaleOut = await scenario("scaleOut", scaleOut);
    results.scenarios.dataSize = await scenario("dataSize", () => dataSize(results.scenarios.crowd?.poll));
    results.scenarios.memory = await scenario("memory", memory);
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    log(`run stopped: ${error.message}`);
  } finally {
    log("stopping the processes and the services");
    await cleanup();
  }

  if (run.aborted && run.reason.startsWith("interrupted")) {
    log("interrupted: no results written");
    return 130;
  }
  const finished = new Date();
  results.finishedAt = finished.toISOString();
  results.durationSeconds = Math.round((finished.getTime() - started.getTime()) / 1000);
  cpu.stop();
  results.processErrors = Object.fromEntries(errorLogs);
  results.targets = evaluateTargets(results.scenarios);
  results.notes.push(...autoNotes(results));

  mkdirSync(`${root}bench/results`, { recursive: true });
  const stem = `bench/results/${results.startedAt.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}`;
  writeFileSync(`${root}${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const table = markdown(results);
  const tablePath = only ? `${stem}.md` : "bench/RESULTS.md";
  writeFileSync(`${root}${tablePath}`, only ? table : `${table}${keptSections()}`);
  process.stdout.write(`\n${table}\n`);
  log(`wrote ${stem}.json and ${tablePath}${only ? " (--only: bench/RESULTS.md left as it was)" : ""}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    killAll();
    process.exit(1);
  },
);
