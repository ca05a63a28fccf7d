import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { freePort, log, root, run, sleep } from "./util.js";

export type App = "api" | "worker";

export interface AppProcess {
  app: App;
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for diagnostics. */
  tail: string[];
  exited: Promise<void>;
  /** http://127.0.0.1:<port>: the API's port, or the worker's metrics port. */
  url: string;
  /** Where its /metrics is: the API's metrics port (API_METRICS_PORT), or `url` for a worker. */
  metricsUrl: string;
  stop(): Promise<void>;
}

const live = new Set<AppProcess>();

/** Error-level log lines (pino level ≥ 50) each process printed while not being stopped. */
export interface ErrorLog {
  count: number;
  /** The first few distinct messages. */
  samples: string[];
}
export const errorLogs = new Map<string, ErrorLog>();
let scope = "";
/** Names the processes started from now on in errorLogs (the scenario run's label). */
export function setScope(label: string): void {
  scope = label;
}

function noteError(key: string, line: string): void {
  let entry: { level?: number; msg?: string; err?: { message?: string } };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return;
  }
  if ((entry.level ?? 0) < 50) return;
  const log = errorLogs.get(key) ?? { count: 0, samples: [] };
  errorLogs.set(key, log);
  log.count++;
  const message = `${entry.msg ?? ""}: ${entry.err?.message ?? ""}`.slice(0, 200);
  if (log.samples.length < 3 && !log.samples.includes(message)) log.samples.push(message);
}
const TAIL = 40;
const LINE_MAX = 400;

/** BENCH_CPU_PROF=api|worker: that app runs under --cpu-prof, its profiles in bench/profiles. */
function nodeArgs(app: App): string[] {
  const wanted = process.env.BENCH_CPU_PROF;
  if (wanted !== app) return [];
  return ["--cpu-prof", `--cpu-prof-dir=${root}bench/profiles`];
}

async function waitHealthy(proc: AppProcess, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    run.check();
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) break;
    try {
      const res = await fetch(`${proc.url}${path}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`${proc.name} did not become ready:\n${proc.tail.join("\n")}`);
}

function launch(
  app: App,
  name: string,
  env: Record<string, string>,
  port: number,
  metricsPort: number = port,
): AppProcess {
  const child = spawn(process.execPath, [...nodeArgs(app), `apps/${app}/dist/index.js`], {
    cwd: root,
    // Only what the bench gives: the developer's own .env or shell must not leak in.
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const key = scope ? `${scope}/${name}` : name;
  let stopping = false;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (!stopping && line.startsWith("{")) noteError(key, line);
      tail.push(line.length > LINE_MAX ? `${line.slice(0, LINE_MAX)}…` : line);
      if (tail.length > TAIL) tail.shift();
    });
  }
  const exited = once(child, "exit").then(() => undefined);
  const proc: AppProcess = {
    app,
    name,
    child,
    pid: child.pid ?? -1,
    tail,
    exited,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM: a graceful exit, which also writes a --cpu-prof profile; SIGKILL if it lingers.
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(proc);
    },
  };
  live.add(proc);
  void exited.then(() => {
    if (!stopping && !run.aborted) {
      log(`${name} exited unexpectedly (code ${child.exitCode}); its last lines:\n${tail.slice(-10).join("\n")}`);
    }
  });
  return proc;
}

export async function startApi(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  let metricsPort = await freePort();
  // A port just released may be handed out again at once.
  while (metricsPort === port) metricsPort = await freePort();
  const proc = launch(
    "api",
    "api",
    { ...env, API_HOST: "127.0.0.1", API_PORT: String(port), API_METRICS_PORT: String(metricsPort) },
    port,
    metricsPort,
  );
  await waitHealthy(proc, "/readyz", 30_000);
  return proc;
}

/**
 * The worker logs "worker ready" with its metrics port only at level info; the bench runs at
 * warn, so it picks the metrics port itself and waits for the port's /readyz.
 */
export async function startWorker(env: Record<string, string>, name = "worker"): Promise<AppProcess> {
  const port = await freePort();
  const proc = launch("worker", name, { ...env, WORKER_METRICS_PORT: String(port) }, port);
  await waitHealthy(proc, "/readyz", 30_000);
  return proc;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((proc) => proc.stop()));
}

/** Synchronous last resort (process exit): SIGKILL whatever is still running. */
export function killAll(): void {
  for (const proc of live) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  }
}

/** Resident set size in MB from /proc (Linux), or null. */
export function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A metric's value from a scrape, whatever labels (service="worker") it carries. */
export function metric(values: Map<string, number>, name: string): number | undefined {
  for (const [key, value] of values) if (key === name || key.startsWith(`${name}{`)) return value;
  return undefined;
}

/** Prometheus text → { "name{labels}": value } for the lines we read. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const space = line.lastIndexOf(" ");
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
}
