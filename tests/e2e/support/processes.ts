import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { eventually } from "@llm-chat/testkit";

const root = fileURLToPath(new URL("../../../", import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  /** Every line the process printed, stdout and stderr. */
  lines: string[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(app: "api" | "worker", env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [`apps/${app}/dist/index.js`], {
    cwd: root,
    // Only what the test gives: the developer's own .env or shell must not leak in.
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (line) => lines.push(line));
  }
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    lines,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until the process logs an entry that `match`es, and returns it; fails at once if the process exits. */
export async function waitForLog(
  proc: RunningProcess,
  what: string,
  match: (entry: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  let seen = 0;
  const probe = () => {
    for (; seen < proc.lines.length; seen++) {
      const line = proc.lines[seen] ?? "";
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (match(entry)) return entry;
    }
    if (proc.child.exitCode !== null) throw new Error(`the process exited before it logged ${what}`);
    return undefined;
  };
  return eventually(`the log entry ${what}`, probe, { timeoutMs, intervalMs: 25 }).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail(proc)}`);
  });
}

function tail(proc: RunningProcess): string {
  return proc.lines.slice(-20).join("\n");
}

/** `url`: the public API; `metricsUrl`: its metrics port (API_METRICS_PORT), loopback unless told. */
export async function startApi(
  env: Record<string, string>,
): Promise<RunningProcess & { url: string; metricsUrl: string }> {
  const proc = launch("api", { API_HOST: "127.0.0.1", API_PORT: "0", API_METRICS_PORT: "0", ...env });
  const entry = await waitForLog(proc, "api listening", (e) => e.msg === "api listening", 30_000);
  return Object.assign(proc, {
    url: `http://127.0.0.1:${String(entry.port)}`,
    metricsUrl: `http://127.0.0.1:${String(entry.metricsPort)}`,
  });
}

export async function startWorker(env: Record<string, string>): Promise<RunningProcess> {
  const proc = launch("worker", env);
  await waitForLog(proc, "worker ready", (e) => e.msg === "worker ready", 30_000);
  return proc;
}

/** Runs an app to completion (for start-up failures) and returns its output. */
export async function runToExit(app: "api" | "worker", env: Record<string, string>) {
  const proc = launch(app, env);
  const result = await proc.exited;
  return { ...result, output: proc.lines.join("\n") };
}
