import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { MONGO_PORT, REDIS_PORT } from "./services.js";
import { root } from "./util.js";

/**
 * How much CPU went to work that is not the bench's (other people's tests on a shared
 * machine): the machine's busy time from /proc/stat minus what the bench's own processes
 * used (itself, its children, its Redis and FerretDB). Linux only; elsewhere it reports null.
 */

const HZ = 100; // USER_HZ: the unit of /proc times on every Linux the bench runs on

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Seconds the machine's CPUs were busy since boot. */
function machineBusy(): number | null {
  const line = read("/proc/stat")?.split("\n")[0];
  if (!line?.startsWith("cpu ")) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / HZ;
}

/** [ppid, cpu seconds] of a process, from /proc/<pid>/stat. */
function stat(pid: number): [number, number] | null {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  // The command may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  const cpu = (Number(fields[11]) + Number(fields[12])) / HZ;
  return [ppid, cpu];
}

function ownRoots(): number[] {
  const pids = [process.pid];
  for (const file of [`redis-${REDIS_PORT}.pid`, `ferretdb-${MONGO_PORT}.pid`]) {
    const pid = Number(read(`${root}.data/${file}`)?.trim());
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

export interface CpuMark {
  at: number;
  busy: number;
  own: number;
}

export interface CpuWatch {
  mark(): CpuMark | null;
  /** Shares of the machine's total CPU capacity (cores × wall time) since `from`. */
  since(from: CpuMark | null): { ownShare: number; foreignShare: number } | null;
  stop(): void;
}

export function watchCpu(): CpuWatch {
  if (machineBusy() === null) {
    return { mark: () => null, since: () => null, stop: () => undefined };
  }
  // Each own process's latest CPU total: one that exits keeps what it had at the last sample.
  const seen = new Map<number, number>();
  const sample = () => {
    const parents = new Map<number, number[]>();
    const cpu = new Map<number, number>();
    for (const name of readdirSync("/proc")) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const s = stat(pid);
      if (!s) continue;
      cpu.set(pid, s[1]);
      const list = parents.get(s[0]) ?? [];
      list.push(pid);
      parents.set(s[0], list);
    }
    const queue = ownRoots();
    for (let i = 0; i < queue.length && i < 10_000; i++) {
      const pid = queue[i] as number;
      const value = cpu.get(pid);
      if (value !== undefined) seen.set(pid, Math.max(seen.get(pid) ?? 0, value));
      queue.push(...(parents.get(pid) ?? []));
    }
  };
  const timer = setInterval(sample, 1000);
  timer.unref();
  const own = () => [...seen.values()].reduce((a, b) => a + b, 0);
  return {
    mark() {
      sample();
      return { at: Date.now(), busy: machineBusy() ?? 0, own: own() };
    },
    since(from) {
      const to = this.mark();
      if (!from || !to) return null;
      const capacity = ((to.at - from.at) / 1000) * os.cpus().length;
      if (capacity <= 0) return null;
      const total = to.busy - from.busy;
      const mine = to.own - from.own;
      const share = (x: number) => Number(Math.min(1, Math.max(0, x / capacity)).toFixed(3));
      return { ownShare: share(mine), foreignShare: share(total - mine) };
    },
    stop() {
      clearInterval(timer);
    },
  };
}
