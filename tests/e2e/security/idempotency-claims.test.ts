import { setTimeout as sleep } from "node:timers/promises";
import type { Query } from "@llm-chat/contracts";
import { testMongoUrl, testRedisUrl, withMongo } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, call, register, waitForQuery } from "../support/client.js";
import { type RunningProcess, startApi } from "../support/processes.js";
import { holdsAll, startStallProxy } from "../support/stall-proxy.js";
import { type System, startSystem } from "../support/system.js";

const hostAndPort = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

const submitWithKey = (url: string, key: string, idempotencyKey: string, prompt: string) =>
  call<Query>(url, "/v1/queries", { key, json: { prompt }, headers: { "idempotency-key": idempotencyKey } });

/**
 * Submits with `idempotencyKey` until the answer is not "still in progress", obeying the
 * server's Retry-After between tries; gives up after `withinMs` and returns the last answer.
 */
async function submitUntilSettled(url: string, key: string, idempotencyKey: string, prompt: string, withinMs: number) {
  const started = Date.now();
  let res: ApiResponse<Query>;
  for (;;) {
    res = await submitWithKey(url, key, idempotencyKey, prompt);
    if (res.status !== 409 || Date.now() - started > withinMs) break;
    // Pacing, not synchronisation: a well-behaved client waits the Retry-After the server asks for.
    await sleep(Number(res.headers.get("retry-after") ?? "1") * 1000);
  }
  return { res, tookMs: Date.now() - started };
}

/** Waits for `event`, bounded, so a system that never gets there fails with its last log lines. */
async function within<T>(event: Promise<T>, ms: number, what: string, proc: RunningProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    // A bound on the wait for `event`, not a pause: the race ends as soon as the event comes.
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms:\n${proc.lines.slice(-15).join("\n")}`)), ms);
  });
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Kill {
  /** The server (Redis or the MongoDB-compatible one) whose connection freezes. */
  server: "redis" | "mongo";
  /** The command at which it freezes. */
  at: (chunk: Buffer) => boolean;
  what: string;
}

describe("attack: an idempotency key whose request died", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  const queriesOf = (userId: string) =>
    withMongo(system.isolation.mongoUrl, (client) => client.db().collection("queries").find({ userId }).toArray());

  /**
   * Submits through a second API whose connection to `kill.server` freezes at `kill.at`,
   * and SIGKILLs that API there: the request dies at an exact point of its work.
   */
  async function submitAndKill(kill: Kill, key: string, idempotencyKey: string, prompt: string): Promise<void> {
    const real = hostAndPort(kill.server === "redis" ? testRedisUrl() : testMongoUrl());
    const proxy = await startStallProxy(real);
    const stuck = await startApi({
      ...system.env,
      ...(kill.server === "redis"
        ? { REDIS_URL: `redis://${proxy.address}` }
        : { MONGO_URL: `mongodb://${proxy.address}/${system.isolation.dbName}?maxPoolSize=8&directConnection=true` }),
    });
    try {
      const stalled = proxy.stallWhen(kill.at);
      void submitWithKey(stuck.url, key, idempotencyKey, prompt).catch(() => undefined);
      await within(stalled, 20_000, kill.what, stuck);
    } finally {
      await stuck.stop("SIGKILL");
      await proxy.close();
    }
  }

  it("answers a retry within seconds with exactly one query when the API was killed after claiming the key", async () => {
    const { userId, key } = await register(system.api.url);
    const idempotencyKey = `died-mid-submit-${Date.now()}`;
    // Killed when the submit reaches the open-query ledger: after the key was claimed,
    // before the query was accepted.
    await submitAndKill(
      { server: "redis", at: holdsAll("ledger:open:"), what: "submit reaching the ledger" },
      key,
      idempotencyKey,
      "only once",
    );

    // The client retries against the API that is still up.
    const { res, tookMs } = await submitUntilSettled(system.api.url, key, idempotencyKey, "only once", 20_000);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(tookMs).toBeLessThan(10_000);
    const repeat = await submitWithKey(system.api.url, key, idempotencyKey, "only once");
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get("idempotent-replayed")).toBe("true");
    expect(repeat.body.id).toBe(res.body.id);
    expect((await waitForQuery(system.api.url, key, res.body.id)).status).toBe("succeeded");
    expect((await queriesOf(userId)).map((q) => q._id)).toEqual([res.body.id]);
  });

  it("returns the query already accepted, not a second one, when the API was killed before recording the key as done", async () => {
    const { userId, key } = await register(system.api.url);
    const idempotencyKey = `died-after-accept-${Date.now()}`;
    // Killed at the first update of an idempotency record, which comes only after the
    // query was accepted.
    await submitAndKill(
      { server: "mongo", at: holdsAll("update\0", "idempotency_keys"), what: "update of the key's record" },
      key,
      idempotencyKey,
      "accepted once",
    );
    const [accepted] = await queriesOf(userId);
    expect(accepted).toBeDefined();

    const { res, tookMs } = await submitUntilSettled(system.api.url, key, idempotencyKey, "accepted once", 20_000);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(res.body.id).toBe(accepted?._id);
    expect(tookMs).toBeLessThan(10_000);
    expect((await waitForQuery(system.api.url, key, res.body.id)).status).toBe("succeeded");
    expect((await queriesOf(userId)).map((q) => q._id)).toEqual([res.body.id]);
  });
});
