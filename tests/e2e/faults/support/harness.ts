import type { Query } from "@llm-chat/contracts";
import { eventually, WaitTimeoutError, withMongo } from "@llm-chat/testkit";
import { call } from "../../support/client.js";
import { type System, type SystemOptions, startSystem } from "../../support/system.js";
import { FAULT_MONGO_PORT, FAULT_REDIS_PORT } from "./servers.js";

/** Outages last seconds in these scenarios: give attempts room to outlast them. */
export const outageEnv: Record<string, string> = {
  QUERY_ATTEMPTS: "12",
  QUERY_BACKOFF_MS: "250",
  WORKER_LOCK_DURATION_MS: "2000",
  SWEEPER_INTERVAL_MS: "1000",
  SWEEPER_GRACE_MS: "1500",
  SUMMARY_ENABLED: "false",
  // The scenarios hold hundreds of one user's queries in flight at once; the cap is tested elsewhere.
  MAX_OPEN_QUERIES_PER_USER: "1000",
};

/** A system on the fault suite's own Redis and FerretDB (see servers.ts). */
export function faultSystem(options: SystemOptions = {}): Promise<System> {
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${FAULT_REDIS_PORT}`;
  process.env.TEST_MONGO_URL = `mongodb://127.0.0.1:${FAULT_MONGO_PORT}`;
  return startSystem({ ...options, env: { ...outageEnv, ...options.env } });
}

export async function submitMany(url: string, key: string, count: number, prompt = "fault"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        call<Query>(url, "/v1/queries", { key, json: { prompt: `${prompt} ${i + j}` } }),
      ),
    );
    for (const res of batch) {
      if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
      ids.push(res.body.id);
    }
  }
  return ids;
}

export interface Tally {
  accepted: number;
  succeeded: number;
  failed: number;
  open: number;
  /** Accepted queries MongoDB has no record of. */
  lost: number;
  /** Messages beyond the two each succeeded query should have. */
  duplicated: number;
  failureCodes: Record<string, number>;
}

export async function tally(system: System, ids: string[]): Promise<Tally> {
  return withMongo(system.isolation.mongoUrl, async (client) => {
    const db = client.db();
    const queries = await db
      .collection<{ _id: string; status: string; error: { code: string } | null }>("queries")
      .find({ _id: { $in: ids } })
      .toArray();
    const messages = await db.collection("messages").countDocuments({ queryId: { $in: ids } });
    const by = (status: string) => queries.filter((q) => q.status === status).length;
    const failureCodes: Record<string, number> = {};
    for (const q of queries) if (q.error) failureCodes[q.error.code] = (failureCodes[q.error.code] ?? 0) + 1;
    return {
      accepted: ids.length,
      succeeded: by("succeeded"),
      failed: by("failed"),
      open: by("queued") + by("running"),
      lost: ids.length - queries.length,
      duplicated: messages - 2 * by("succeeded"),
      failureCodes,
    };
  });
}

/**
 * Waits until no accepted query is open any more (bounded), and returns the tally; past the
 * bound, the tally as it stands, so the scenario still reports what was left open.
 */
export async function settle(system: System, ids: string[], timeoutMs: number): Promise<Tally> {
  let current = await tally(system, ids);
  const probe = async () => {
    current = await tally(system, ids);
    return current.open === 0;
  };
  await eventually("every accepted query to settle", probe, { timeoutMs, intervalMs: 250 }).catch(passTimeout);
  return current;
}

/** Lets a wait's timeout through as "not reached"; any other error still fails the test. */
export function passTimeout(error: unknown): false {
  if (error instanceof WaitTimeoutError) return false;
  throw error;
}

/** Each scenario prints its figures, so a CI log shows what the faults did. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  console.log(`[fault] ${scenario}: ${JSON.stringify(figures)}`);
}
