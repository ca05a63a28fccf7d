import type { Delivery, Page, Query, RegisterResponse, TokenPair } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { waitForLog } from "./support/processes.js";
import { type System, startSystem } from "./support/system.js";

describe("rate limits", () => {
  let system: System;
  let url: string;

  beforeAll(async () => {
    system = await startSystem({
      workers: 0,
      env: {
        RATE_LIMIT_SUBMIT_PER_MINUTE: "3",
        RATE_LIMIT_READ_PER_MINUTE: "20",
        RATE_LIMIT_AUTH_PER_MINUTE: "4",
        MAX_OPEN_QUERIES_PER_USER: "100",
      },
    });
    url = system.api.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("answers a submit burst over the limit with 429, Retry-After and RateLimit headers, and leaves other users alone", async () => {
    // Registration is limited per IP (4 a minute here): two users fit.
    const alice = await register(url);
    const bob = await register(url);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await call(url, "/v1/queries", { key: alice.key, json: { prompt: `burst ${i}` } });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else expect(res.headers.get("ratelimit-limit")).toBe("3");
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited?.headers.get("ratelimit-remaining")).toBe("0");
    expect(limited?.headers.get("content-type")).toContain("application/problem+json");
    expect((await call(url, "/v1/queries", { key: bob.key, json: { prompt: "mine" } })).status).toBe(202);
    // The refused submits wrote nothing.
    const listed = await call<Page<Query>>(url, "/v1/queries", { key: alice.key });
    expect(listed.body.data).toHaveLength(3);
  });

  it("limits register and login attempts per client address", async () => {
    const results: number[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        (await call(url, "/v1/auth/login", { json: { email: "x@example.test", password: "guess guess" } })).status,
      );
    }
    // The two registrations above used two of this address's four attempts.
    expect(results).toEqual([401, 401, 429, 429]);
  });
});

describe("the cap on open queries", () => {
  it("refuses a submit once a user has the maximum queued or running", async () => {
    const system = await startSystem({ workers: 0, env: { MAX_OPEN_QUERIES_PER_USER: "2" } });
    try {
      const { key } = await register(system.api.url);
      const { key: other } = await register(system.api.url);
      const send = (k: string) => call(system.api.url, "/v1/queries", { key: k, json: { prompt: "hold" } });
      expect((await send(key)).status).toBe(202);
      expect((await send(key)).status).toBe(202);
      const third = await send(key);
      expect(third.status).toBe(429);
      expect(third.headers.get("retry-after")).toBe("5");
      expect((await send(other)).status).toBe(202);
    } finally {
      await system.stop();
    }
  });
});

describe("logs", () => {
  it("never carry a password, token, API key or webhook secret", async () => {
    const system = await startSystem({ env: { LOG_LEVEL: "trace", WEBHOOK_ALLOW_PRIVATE_URLS: "true" } });
    try {
      const url = system.api.url;
      const password = "a very particular password 12345";
      const email = `logs-${Date.now()}@example.test`;
      const registered = await call<RegisterResponse>(url, "/v1/auth/register", {
        json: { email, password },
      });
      const apiKey = registered.body.apiKey.secret;
      const tokens = await call<TokenPair>(url, "/v1/auth/login", {
        json: { email, password },
      });
      const refreshed = await call<TokenPair>(url, "/v1/auth/refresh", {
        json: { refreshToken: tokens.body.refreshToken },
      });
      const secret = (await call<{ secret: string }>(url, "/v1/webhook-secret", { key: apiKey })).body.secret;
      const submitted = await call<Query>(url, "/v1/queries", {
        key: refreshed.body.accessToken,
        json: { prompt: "log me", webhook: { url: "http://127.0.0.1:9/unreachable" } },
      });
      expect(submitted.status).toBe(202);
      await waitForQuery(url, apiKey, submitted.body.id);
      // Every log that could carry a secret is in: the login's request, the processed query, a signed delivery attempt.
      await eventually("the API's log of the login", () => system.api.lines.some((l) => l.includes("/v1/auth/login")));
      const worker = system.workers[0];
      if (!worker) throw new Error("the system has no worker");
      await waitForLog(
        worker,
        "query processed",
        (e) => e.msg === "query processed" && e.queryId === submitted.body.id,
      );
      await eventually("a webhook delivery attempt to be recorded", async () => {
        const recorded = await call<Page<Delivery>>(url, `/v1/queries/${submitted.body.id}/deliveries`, {
          key: apiKey,
        });
        return recorded.body.data.length > 0;
      });

      const logs = [...system.api.lines, ...system.workers.flatMap((w) => w.lines)].join("\n");
      expect(logs).toContain("/v1/auth/login");
      expect(logs).toContain("query processed");
      for (const secretValue of [
        password,
        apiKey,
        tokens.body.accessToken,
        tokens.body.refreshToken,
        refreshed.body.accessToken,
        refreshed.body.refreshToken,
        secret,
      ]) {
        expect(logs).not.toContain(secretValue);
      }
      expect(logs).toContain("[redacted]");
    } finally {
      await system.stop();
    }
  });
});
