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

/** The fields of /proc/<pid>/stat after the command (field 3, the state, is index 0). */
function statFields(pid: number): string[] | null {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  // The command may contain spaces and parentheses: fields start after the last ')'.
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** [ppid, cpu seconds] of a process, from /proc/<pid>/stat. */
function stat(pid: number): [number, number] | null {
  const fields = statFields(pid);
  if (!fields) return null;
  return [Number(fields[1]), (Number(fields[11]) + Number(fields[12])) / HZ];
}

/**
 * CPU seconds of a process (all its threads), plus what its children used: the reaped ones
 * from its own cutime+cstime, the live ones read directly. Differences of two readings are
 * exact whatever children came and went between them (a child's time moves from "live" to
 * the parent's cutime when it is reaped).
 */
export function treeCpuSeconds(pid: number): number | null {
  const fields = statFields(pid);
  if (!fields) return null;
  let total = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / HZ;
  for (const child of childrenOf(pid)) total += stat(child)?.[1] ?? 0;
  return total;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    const child = Number(name);
    if (Number.isInteger(child) && stat(child)?.[0] === pid) children.push(child);
  }
  return children;
}

/** A live process's pid from a pid file under .data/, or null. */
export function pidFromFile(file: string): number | null {
  const pid = Number(read(`${root}.data/${file}`)?.trim().split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && statFields(pid) ? pid : null;
}

function ownRoots(): number[] {
  const pids = [process.pid, ...postmasters()];
  for (const file of [`redis-${REDIS_PORT}.pid`, `ferretdb-${MONGO_PORT}.pid`]) {
    const pid = pidFromFile(file);
    if (pid !== null) pids.push(pid);
  }
  return pids;
}

/**
 * PostgreSQL postmasters whose data directory is under the repo's .data/ (FerretDB's
 * PostgreSQL handler): from each postmaster.pid two levels down, checked against /proc.
 * When there are several, the one on the port FerretDB's command line names wins.
 */
export function postmasters(): number[] {
  const found: { pid: number; port: string }[] = [];
  const scan = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === "postmaster.pid") {
        const [pid = "", , , port = ""] = read(`${dir}/${name}`)?.split("\n") ?? [];
        if (read(`/proc/${pid}/comm`)?.trim() === "postgres") found.push({ pid: Number(pid), port: port.trim() });
      } else if (depth > 0 && !name.includes(".")) {
        scan(`${dir}/${name}`, depth - 1);
      }
    }
  };
  scan(`${root}.data`, 2);
  const ferret = pidFromFile(`ferretdb-${MONGO_PORT}.pid`);
  const cmdline = ferret === null ? "" : (read(`/proc/${ferret}/cmdline`) ?? "").replace(/\0/g, " ");
  const mine = found.filter((p) => new RegExp(`(:|port=)${p.port}\\b`).test(cmdline));
  return (mine.length > 0 ? mine : found).map((p) => p.pid);
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
