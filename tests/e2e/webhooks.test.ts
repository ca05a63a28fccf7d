import type { Delivery, Page, Problem, Query } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { waitForLog } from "./support/processes.js";
import { startReceiver } from "./support/receiver.js";
import { type System, startSystem } from "./support/system.js";

describe("signed webhooks", () => {
  let system: System;
  let url: string;
  let key: string;
  let secret: string;
  const receivers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    system = await startSystem({
      standIn: { latencyMs: 300 },
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: "true", WEBHOOK_RETRY_BASE_MS: "200" },
    });
    url = system.api.url;
    ({ key } = await register(url));
    const res = await call<{ secret: string }>(url, "/v1/webhook-secret", { key });
    expect(res.status).toBe(200);
    secret = res.body.secret;
    expect(secret).toMatch(/^whsec_/);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await system?.stop();
  });

  const deliveries = (id: string) =>
    call<Page<Delivery>>(url, `/v1/queries/${id}/deliveries`, { key }).then((r) => r.body.data);
  /** Waits until at least `count` delivery attempts of the query are recorded, and returns them all. */
  const recorded = (id: string, count: number, timeoutMs: number) =>
    eventually(
      `${count} recorded deliveries of ${id}`,
      async () => {
        const found = await deliveries(id);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );

  it("delivers start and completed events that verify with the user's secret", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const submitted = await call<Query>(url, "/v1/queries", {
      key,
      json: { prompt: "hook me", webhook: { url: receiver.url, events: ["start", "completed"] } },
    });
    expect(submitted.status).toBe(202);
    await waitForQuery(url, key, submitted.body.id);
    await eventually("two webhooks to arrive", () => receiver.received.length >= 2, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });

    const verifier = new Webhook(secret);
    const payloads = receiver.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>)) as {
      type: string;
      data: { id: string; status: string; output: string | null };
    }[];
    expect(payloads.map((p) => p.type).sort()).toEqual(["query.completed", "query.start"]);
    const completed = payloads.find((p) => p.type === "query.completed");
    expect(completed?.data).toMatchObject({ id: submitted.body.id, status: "succeeded", output: "You said: hook me" });
    // A forged body does not verify.
    const first = receiver.received[0];
    expect(() => verifier.verify(`${first?.body} `, first?.headers as Record<string, string>)).toThrow();
    expect((await recorded(submitted.body.id, 2, 15_000)).map((d) => d.statusCode)).toEqual([204, 204]);
  });

  it("retries a failing receiver with one webhook-id and records every attempt", async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 503 : 200));
    receivers.push(receiver);
    const submitted = await call<Query>(url, "/v1/queries", {
      key,
      json: { prompt: "retry me", webhook: { url: receiver.url } },
    });
    await waitForQuery(url, key, submitted.body.id);
    const attempts = await recorded(submitted.body.id, 3, 20_000);
    expect(attempts.map((d) => [d.attempt, d.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(attempts.every((d) => d.event === "completed" && d.latencyMs !== null)).toBe(true);
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    expect(receiver.received).toHaveLength(3);
  });

  it("does not retry a receiver that answers 400", async () => {
    const receiver = await startReceiver(() => 400);
    receivers.push(receiver);
    const submitted = await call<Query>(url, "/v1/queries", {
      key,
      json: { prompt: "refuse me", webhook: { url: receiver.url } },
    });
    await waitForQuery(url, key, submitted.body.id);
    const attempts = await recorded(submitted.body.id, 1, 15_000);
    // The worker's own word that it gave the event up: after it, no retry can come.
    const worker = system.workers[0];
    if (!worker) throw new Error("the system has no worker");
    await waitForLog(
      worker,
      `webhook ${attempts[0]?.eventId} refused`,
      (e) => e.msg === "webhook refused by its receiver; not retried" && e.eventId === attempts[0]?.eventId,
    );
    expect((await deliveries(submitted.body.id)).map((d) => d.statusCode)).toEqual([400]);
    expect(attempts[0]?.error).toBe("receiver answered 400");
    expect(receiver.received).toHaveLength(1);
  });

  it("refuses webhook URLs that are not http(s)", async () => {
    const res = await call<Problem>(url, "/v1/queries", {
      key,
      json: { prompt: "x", webhook: { url: "ftp://example.com/hook" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors?.map((e) => e.pointer)).toContain("/webhook/url");
  });

  it("rotates the signing secret", async () => {
    const rotated = await call<{ secret: string }>(url, "/v1/webhook-secret/rotate", { key, method: "POST" });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect((await call<{ secret: string }>(url, "/v1/webhook-secret", { key })).body.secret).toBe(rotated.body.secret);
  });
});

describe("webhook URLs on private addresses", () => {
  it("are refused with 422 unless the deployment allows them", async () => {
    const system = await startSystem({ workers: 0 });
    try {
      const { key } = await register(system.api.url);
      const res = await call<Problem>(system.api.url, "/v1/queries", {
        key,
        json: { prompt: "x", webhook: { url: "http://127.0.0.1:9/hook" } },
      });
      expect(res.status).toBe(422);
      expect(res.body.detail).toBe("webhook.url target is not allowed");
      const count = await call<Page<Query>>(system.api.url, "/v1/queries", { key });
      expect(count.body.data).toEqual([]);
    } finally {
      await system.stop();
    }
  });
});
