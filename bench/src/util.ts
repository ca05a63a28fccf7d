import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root (bench/dist/util.js → ../../). */
export const root = fileURLToPath(new URL("../../", import.meta.url));

const began = Date.now();

export function log(message: string): void {
  const seconds = ((Date.now() - began) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[bench ${seconds}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown when the run was interrupted (Ctrl-C) or its overall deadline passed. */
export class Aborted extends Error {}

/** A run-wide stop flag every loop checks, so Ctrl-C and the overall deadline end it quickly. */
export const run = {
  aborted: false as boolean,
  reason: "",
  deadline: Number.POSITIVE_INFINITY,
  abort(reason: string) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
  },
  check() {
    if (this.aborted) throw new Aborted(this.reason);
    if (Date.now() > this.deadline) {
      this.abort("the run's overall deadline passed");
      throw new Aborted(this.reason);
    }
  },
  /** Ms left before the overall deadline. */
  left() {
    return this.deadline - Date.now();
  },
};

/** Sleeps in short steps so an abort is noticed promptly. */
export async function pause(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    run.check();
    await sleep(Math.min(100, until - Date.now()));
  }
}

/** A free loopback port (bound and released; the window for a race is tiny and loopback only). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Summary {
  n: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  min: number | null;
}

/** Nearest-rank percentile of an ascending array. */
function rank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? null;
}

export function summarize(values: number[], digits = 1): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Number(v.toFixed(digits)));
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return {
    n: sorted.length,
    mean: round(mean),
    p50: round(rank(sorted, 50)),
    p90: round(rank(sorted, 90)),
    p99: round(rank(sorted, 99)),
    max: round(sorted.length ? (sorted[sorted.length - 1] ?? null) : null),
    min: round(sorted.length ? (sorted[0] ?? null) : null),
  };
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Runs `task(i)` for i in [0, count) with at most `parallel` at once; stops early on abort. */
export async function pool(count: number, parallel: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) {
      run.check();
      const index = next++;
      await task(index);
    }
  });
  await Promise.all(lanes);
}
