import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

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

async function waitForLine(
  proc: RunningProcess,
  match: (entry: Record<string, unknown>) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    for (; seen < proc.lines.length; seen++) {
      const line = proc.lines[seen] ?? "";
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (match(entry)) return entry;
    }
    if (proc.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`process did not become ready:\n${proc.lines.slice(-20).join("\n")}`);
}

/** `url`: the public API; `metricsUrl`: its metrics port (API_METRICS_PORT), loopback unless told. */
export async function startApi(
  env: Record<string, string>,
): Promise<RunningProcess & { url: string; metricsUrl: string }> {
  const proc = launch("api", { API_HOST: "127.0.0.1", API_PORT: "0", API_METRICS_PORT: "0", ...env });
  const entry = await waitForLine(proc, (e) => e.msg === "api listening", 30_000);
  return Object.assign(proc, {
    url: `http://127.0.0.1:${String(entry.port)}`,
    metricsUrl: `http://127.0.0.1:${String(entry.metricsPort)}`,
  });
}

export async function startWorker(env: Record<string, string>): Promise<RunningProcess> {
  const proc = launch("worker", env);
  await waitForLine(proc, (e) => e.msg === "worker ready", 30_000);
  return proc;
}

/** Runs an app to completion (for start-up failures) and returns its output. */
export async function runToExit(app: "api" | "worker", env: Record<string, string>) {
  const proc = launch(app, env);
  const result = await proc.exited;
  return { ...result, output: proc.lines.join("\n") };
}
