import { Redis } from "ioredis";
import { pidFromFile, postmasters, treeCpuSeconds } from "./cpu.js";
import { type AppProcess, scrapeMetrics } from "./processes.js";
import { MONGO_PORT, REDIS_PORT, redisUrl } from "./services.js";
import type { Bench } from "./system.js";
import { round } from "./util.js";

/**
 * What a scenario cost, per answered query: CPU of every process of the system (the
 * figure that does not depend on how fast or busy the machine is), the store commands the
 * API and workers sent (their llmchat_store_commands_total) and the Redis commands the
 * server ran (INFO commandstats). Read before and after; the difference over the answers.
 */

export type ProcessKind = "api" | "worker" | "redis" | "ferretdb" | "postgres";
const KINDS: ProcessKind[] = ["api", "worker", "redis", "ferretdb", "postgres"];

const WRITES = new Set(["insert", "update", "delete", "findAndModify", "bulkWrite"]);
const READS = new Set(["find", "getMore", "aggregate", "count", "distinct"]);

interface Mark {
  cpu: Record<ProcessKind, number | null>;
  /** The bench's own process: the load generator and the model stand-in, not the system. */
  bench: number | null;
  store: Record<"api" | "worker", Map<string, number>>;
  redis: Map<string, number>;
}

export interface Cost {
  answered: number;
  /** CPU ms per answered query by process kind; null: no such process found (e.g. no PostgreSQL). */
  cpuMsPerAnswer: Record<ProcessKind, number | null> & { total: number };
  /** The bench's own process (load generator + model stand-in), apart: it is not the system. */
  outsideCpuMsPerAnswer: number | null;
  postgres: "running" | "not running";
  store: {
    /** Per answered query: writes (insert, update, delete, findAndModify), reads (find, getMore, aggregate, count), other. */
    perAnswer: { writes: number; reads: number; other: number; total: number };
    /** Per answered query, by command name, API and workers together. */
    byCommand: Record<string, number>;
    /** Per answered query, by process kind and command name. */
    byProcess: Record<"api" | "worker", Record<string, number>>;
  };
  redis: {
    perAnswer: number;
    /** Per answered query, by command (Redis 7 also counts the commands its scripts run, under their own names). */
    byCommand: Record<string, number>;
    /** evalsha, eval and fcall per answered query: the scripts themselves. */
    scriptsPerAnswer: number;
  };
}

function pids(bench: Bench): Record<ProcessKind, number[]> {
  const one = (pid: number | null) => (pid === null ? [] : [pid]);
  return {
    api: [bench.api.pid],
    worker: bench.workers.map((w) => w.pid),
    redis: one(pidFromFile(`redis-${REDIS_PORT}.pid`)),
    ferretdb: one(pidFromFile(`ferretdb-${MONGO_PORT}.pid`)),
    postgres: postmasters(),
  };
}

async function storeCommands(procs: AppProcess[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const proc of procs) {
    for (const [key, value] of await scrapeMetrics(proc.metricsUrl)) {
      const command = key.match(/^llmchat_store_commands_total\{.*command="([^"]+)"/)?.[1];
      if (command) counts.set(command, (counts.get(command) ?? 0) + value);
    }
  }
  return counts;
}

async function redisCommands(): Promise<Map<string, number>> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const counts = new Map<string, number>();
    for (const match of (await client.info("commandstats")).matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)) {
      counts.set(match[1] as string, Number(match[2]));
    }
    return counts;
  } finally {
    client.disconnect();
  }
}

export async function markCost(bench: Bench): Promise<Mark> {
  const byKind = pids(bench);
  const cpu = {} as Record<ProcessKind, number | null>;
  for (const kind of KINDS) {
    const values = byKind[kind].map(treeCpuSeconds).filter((v): v is number => v !== null);
    cpu[kind] = values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
  }
  return {
    cpu,
    bench: treeCpuSeconds(process.pid),
    store: { api: await storeCommands([bench.api]), worker: await storeCommands(bench.workers) },
    redis: await redisCommands(),
  };
}

function delta(after: Map<string, number>, before: Map<string, number>, per: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of after) {
    const d = round((value - (before.get(name) ?? 0)) / per, 2);
    if (d > 0) out[name] = d;
  }
  return Object.fromEntries(Object.entries(out).sort(([, a], [, b]) => b - a));
}

const sum = (values: Record<string, number>, keep: (name: string) => boolean = () => true) =>
  round(
    Object.entries(values)
      .filter(([name]) => keep(name))
      .reduce((a, [, v]) => a + v, 0),
    2,
  );

/** The cost since `before`, per answered query (none answered: per 1, so the totals show). */
export async function costSince(bench: Bench, before: Mark, answered: number): Promise<Cost> {
  const after = await markCost(bench);
  // The `before` mark's own INFO ran between the two readings: it is the bench's, not the system's.
  after.redis.set("info", (after.redis.get("info") ?? 1) - 1);
  const per = Math.max(1, answered);
  const cpuMsPerAnswer = { total: 0 } as Cost["cpuMsPerAnswer"];
  for (const kind of KINDS) {
    const [a, b] = [after.cpu[kind], before.cpu[kind]];
    cpuMsPerAnswer[kind] = a === null || b === null ? null : round(((a - b) * 1000) / per, 2);
    cpuMsPerAnswer.total = round(cpuMsPerAnswer.total + (cpuMsPerAnswer[kind] ?? 0), 2);
  }
  const api = delta(after.store.api, before.store.api, per);
  const worker = delta(after.store.worker, before.store.worker, per);
  const both = new Map<string, number>();
  for (const part of [api, worker]) for (const [k, v] of Object.entries(part)) both.set(k, (both.get(k) ?? 0) + v);
  const byCommand = delta(both, new Map(), 1);
  const redis = delta(after.redis, before.redis, per);
  return {
    answered,
    cpuMsPerAnswer,
    outsideCpuMsPerAnswer:
      after.bench === null || before.bench === null ? null : round(((after.bench - before.bench) * 1000) / per, 2),
    postgres: after.cpu.postgres === null ? "not running" : "running",
    store: {
      perAnswer: {
        writes: sum(byCommand, (c) => WRITES.has(c)),
        reads: sum(byCommand, (c) => READS.has(c)),
        other: sum(byCommand, (c) => !WRITES.has(c) && !READS.has(c)),
        total: sum(byCommand),
      },
      byCommand,
      byProcess: { api, worker },
    },
    redis: {
      perAnswer: sum(redis),
      byCommand: redis,
      scriptsPerAnswer: sum(redis, (c) => c === "evalsha" || c === "eval" || c === "fcall"),
    },
  };
}

/** One line for the log. */
export function describeCost(c: Cost): string {
  const cpu = KINDS.map((k) => `${k} ${c.cpuMsPerAnswer[k] ?? "—"}`).join(", ");
  const s = c.store.perAnswer;
  return (
    `per answered query (${c.answered}): CPU ${c.cpuMsPerAnswer.total} ms (${cpu}; bench ${c.outsideCpuMsPerAnswer}); ` +
    `store ${s.writes} writes + ${s.reads} reads + ${s.other} other; Redis ${c.redis.perAnswer} commands`
  );
}
