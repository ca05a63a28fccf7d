import type { RegisterResponse } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/client.js";
import { type RunningProcess, startApi } from "../support/processes.js";
import { type System, startSystem } from "../support/system.js";

const BOSS = "boss@example.test";
const PASSWORD = "correct horse battery staple";

interface BoardQueues {
  queues: { name: string; isPaused: boolean }[];
}

describe("attack: become an admin by registering an address listed in ADMIN_EMAILS", () => {
  let system: System;
  const extra: RunningProcess[] = [];

  beforeAll(async () => {
    system = await startSystem({ workers: 0, env: { ADMIN_EMAILS: BOSS } });
  });
  afterAll(async () => {
    await Promise.all(extra.map((p) => p.stop("SIGKILL")));
    await system?.stop();
  });

  const restartApi = async (env: Record<string, string> = {}) => {
    const api = await startApi({ ...system.env, ...env });
    extra.push(api);
    return api.url;
  };
  const pauseQuery = (url: string, key: string) =>
    call(url, "/admin/queues/api/queues/query/pause", { method: "PUT", key });
  const queryPaused = async (url: string, key: string) => {
    const board = await call<BoardQueues>(url, "/admin/queues/api/queues", { key });
    expect(board.status).toBe(200);
    return board.body.queues.find((q) => q.name === "query")?.isPaused;
  };

  it("grants nothing to whoever registers a listed address first; only a start-up finds the account", async () => {
    const url = system.api.url;
    const squatter = await call<RegisterResponse>(url, "/v1/auth/register", {
      json: { email: BOSS, password: PASSWORD },
    });
    expect(squatter.status).toBe(201);
    const key = squatter.body.apiKey.secret;
    expect((await call(url, "/v1/admin/queues", { key })).status).toBe(403);
    expect((await call(url, "/admin/queues", { key })).status).toBe(403);
    expect((await call(url, "/admin/queues/api/queues", { key })).status).toBe(403);

    // The operator's own bootstrap: an API started while the account exists makes it an admin.
    const later = await restartApi();
    expect((await call(later, "/v1/admin/queues", { key })).status).toBe(200);
    expect((await call(later, "/admin/queues", { key })).status).toBe(200);
  });

  it("serves the queue dashboard read-only unless QUEUE_DASHBOARD_WRITES is on", async () => {
    const admin = await call<RegisterResponse>(system.api.url, "/v1/auth/register", {
      json: { email: "ops@example.test", password: PASSWORD },
    });
    const key = admin.body.apiKey.secret;
    const readOnly = await restartApi({ ADMIN_EMAILS: "ops@example.test" });
    const refused = await pauseQuery(readOnly, key);
    expect(refused.status).toBe(403);
    expect(await queryPaused(readOnly, key)).toBe(false);
    for (const path of ["/admin/queues/api/queues/query/clean/completed", "/admin/queues/api/queues/pause"]) {
      expect((await call(readOnly, path, { method: "PUT", key })).status).toBe(403);
    }

    // The same request goes through once an operator allows writes: the refusal above is the mode.
    const writable = await restartApi({ ADMIN_EMAILS: "ops@example.test", QUEUE_DASHBOARD_WRITES: "true" });
    expect((await pauseQuery(writable, key)).status).toBe(200);
    expect(await queryPaused(writable, key)).toBe(true);
    expect((await call(writable, "/admin/queues/api/queues/query/resume", { method: "PUT", key })).status).toBe(200);
  });
});
