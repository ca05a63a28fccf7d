import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { eventually } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConflictError,
  LlmChatClient,
  NetworkError,
  NotFoundError,
  type QueryStreamEvent,
  ValidationError,
  verifyWebhook,
  WaitTimeoutError,
  WebhookVerificationError,
} from "../../packages/client/src/index.js";
import { register } from "./support/client.js";
import { startReceiver } from "./support/receiver.js";
import { type System, startSystem } from "./support/system.js";

/**
 * A TCP proxy in front of the API that can cut every connection through it at once: a
 * real dropped connection, as a flaky network or a restarting load balancer gives.
 */
async function startDroppingProxy(target: string) {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((downstream) => {
    connections += 1;
    const upstream = connect(Number(port), hostname);
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        open.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const text = (events: QueryStreamEvent[]) => events.map((e) => (e.type === "output" ? e.delta : "")).join("");

describe("the TypeScript client against the real API and worker", () => {
  let system: System;
  let url: string;
  let client: LlmChatClient;

  beforeAll(async () => {
    // 30 ms a token: answers stream for a while, so a stream can be cut in the middle.
    system = await startSystem({
      standIn: { latencyMs: 50, tokenDelayMs: 30 },
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: "true" },
    });
    url = system.api.url;
    client = new LlmChatClient({ baseUrl: url, apiKey: (await register(url)).key });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("registers an account and signs in with the static helpers", async () => {
    const email = `client-${Date.now()}@example.test`;
    const account = await LlmChatClient.register(url, { email, password: "correct horse battery staple" });
    expect(account.user.email).toBe(email);
    expect(account.apiKey.secret).toMatch(/^llmc_/);
    const tokens = await LlmChatClient.login(url, { email, password: "correct horse battery staple" });
    expect(tokens.tokenType).toBe("Bearer");
    const viaToken = new LlmChatClient({ baseUrl: url, apiKey: tokens.accessToken });
    expect((await viaToken.models()).map((m) => m.id)).toEqual(["llama2", "mistral"]);
  });

  it("submits a prompt, waits for the answer and finds it by get and list", async () => {
    const submitted = await client.submit({ prompt: "What is the capital of France?" });
    expect(submitted.status).toBe("queued");
    expect(submitted.id).toMatch(/^qry_/);
    const done = await client.wait(submitted.id);
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("You said: What is the capital of France?");
    expect(done.metrics.totalMs).toBeGreaterThan(0);
    expect(await client.get(submitted.id)).toEqual(done);
    const page = await client.list({ conversationId: done.conversationId });
    expect(page.data.map((q) => q.id)).toEqual([submitted.id]);
  });

  it("submits and waits in one call, using Prefer: wait for a fast answer", async () => {
    const requests: string[] = [];
    const counting = new LlmChatClient({
      baseUrl: url,
      apiKey: (await register(url)).key,
      fetch: (input, init) => {
        requests.push(`${init.method ?? "GET"} ${new URL(input).pathname} ${new Headers(init.headers).get("prefer")}`);
        return fetch(input, init);
      },
    });
    const done = await counting.submitAndWait({ prompt: "quick one", model: "mistral" });
    // The server held the submit until the answer was there: no polling needed.
    expect(requests).toEqual(["POST /v1/queries wait=60"]);
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("You said: quick one");
    expect(done.model).toBe("mistral");
  });

  it("gives up waiting with WaitTimeoutError while the query goes on", async () => {
    const submitted = await client.submit({ prompt: "slow one [[slow:3000]]" });
    const error = await client.wait(submitted.id, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).query.id).toBe(submitted.id);
    expect(["queued", "running"]).toContain((error as WaitTimeoutError).query.status);
    expect((await client.wait(submitted.id)).status).toBe("succeeded");
  });

  it("streams status, output deltas and done, and the deltas add up to the answer", async () => {
    const submitted = await client.submit({ prompt: "tell me a story about streams" });
    const events: QueryStreamEvent[] = [];
    for await (const event of client.stream(submitted.id)) events.push(event);
    expect(events[0]?.type).toBe("status");
    expect(events.filter((e) => e.type === "output").length).toBeGreaterThan(1);
    expect(text(events)).toBe("You said: tell me a story about streams");
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: "done",
      status: "succeeded",
      output: "You said: tell me a story about streams",
    });
    expect(events.every((e) => typeof e.id === "string")).toBe(true);
  });

  it("reconnects by itself after the connection drops mid-stream, missing and repeating nothing", async () => {
    const proxy = await startDroppingProxy(url);
    try {
      const { key } = await register(url);
      const viaProxy = new LlmChatClient({ baseUrl: proxy.url, apiKey: key });
      const direct = new LlmChatClient({ baseUrl: url, apiKey: key });
      const prompt = "resume this stream after the network drops it please";
      const submitted = await direct.submit({ prompt });
      const connectionsBefore = proxy.connections();
      const reconnects: (string | null)[] = [];
      const events: QueryStreamEvent[] = [];
      let idBeforeDrop: string | null = null;
      for await (const event of viaProxy.stream(submitted.id, {
        reconnectDelayMs: 50,
        onReconnect: ({ lastEventId }) => reconnects.push(lastEventId),
      })) {
        events.push(event);
        if (events.filter((e) => e.type === "output").length === 2 && idBeforeDrop === null) {
          idBeforeDrop = event.id;
          proxy.dropAll();
        }
      }
      expect(idBeforeDrop).not.toBeNull();
      expect(reconnects).toEqual([idBeforeDrop]);
      // One connection for the stream, one more for its resumption.
      expect(proxy.connections() - connectionsBefore).toBe(2);
      const ids = events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(text(events)).toBe(`You said: ${prompt}`);
      expect(events.filter((e) => e.type === "done")).toHaveLength(1);
      expect(events.at(-1)?.type).toBe("done");

      // The same events, in the same order, as one uninterrupted read of the finished query.
      const replay: QueryStreamEvent[] = [];
      for await (const event of direct.stream(submitted.id)) replay.push(event);
      expect(replay).toEqual(events);
    } finally {
      await proxy.close();
    }
  });

  it("resumes from a lastEventId the caller kept after leaving the loop", async () => {
    const prompt = "stop reading and pick it up again later";
    const submitted = await client.submit({ prompt });
    const first: QueryStreamEvent[] = [];
    for await (const event of client.stream(submitted.id)) {
      first.push(event);
      if (event.type === "output") break;
    }
    const lastEventId = first.at(-1)?.id;
    expect(lastEventId).toEqual(expect.any(String));
    const rest: QueryStreamEvent[] = [];
    for await (const event of client.stream(submitted.id, { lastEventId: lastEventId ?? "" })) rest.push(event);
    expect(rest[0]?.id).not.toBe(lastEventId);
    const ids = [...first, ...rest].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(text([...first, ...rest])).toBe(`You said: ${prompt}`);
    expect(rest.at(-1)?.type).toBe("done");
  });

  it("cancels a running query, and a second cancel is a ConflictError", async () => {
    const submitted = await client.submit({ prompt: "a very long answer [[slow:8000]]" });
    for await (const event of client.stream(submitted.id)) {
      if (event.type === "status" && event.status === "running") break;
    }
    const canceled = await client.cancel(submitted.id);
    expect(canceled.status).toBe("canceled");
    const again = await client.cancel(submitted.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).status).toBe(409);
    expect((await client.wait(submitted.id)).status).toBe("canceled");
  });

  it("creates, pages through, reads back and deletes conversations", async () => {
    const own = new LlmChatClient({ baseUrl: url, apiKey: (await register(url)).key });
    const created = await own.conversations.create({ model: "llama2", title: "Geography", system: "Be brief." });
    expect(created).toMatchObject({ model: "llama2", title: "Geography", system: "Be brief." });
    const others = [
      await own.conversations.create({ model: "mistral" }),
      await own.conversations.create({ model: "llama2" }),
    ];

    const first = await own.conversations.list({ limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual([others[1]?.id, others[0]?.id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await own.conversations.list({ limit: 2, cursor: first.nextCursor ?? "" });
    expect(second.data.map((c) => c.id)).toEqual([created.id]);
    expect(second.nextCursor).toBeNull();
    const all: string[] = [];
    for await (const conversation of own.conversations.iterate({ pageSize: 1 })) all.push(conversation.id);
    expect(all).toEqual([others[1]?.id, others[0]?.id, created.id]);

    await own.submitAndWait({ conversationId: created.id, prompt: "Capital of Peru?" });
    const read = await own.conversations.get(created.id);
    expect(read.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Capital of Peru?"],
      ["assistant", "You said: Capital of Peru?"],
    ]);
    expect(await own.conversations.messages(created.id)).toEqual(read.messages);

    await own.conversations.delete(created.id);
    await expect(own.conversations.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("creates, lists and revokes API keys, and a revoked key is refused", async () => {
    const own = new LlmChatClient({ baseUrl: url, apiKey: (await register(url)).key });
    const created = await own.apiKeys.create({ name: "ci server" });
    expect(created.secret).toMatch(/^llmc_/);
    expect((await own.apiKeys.list()).map((k) => k.name)).toContain("ci server");
    const withNewKey = new LlmChatClient({ baseUrl: url, apiKey: created.secret });
    expect(await withNewKey.models()).toHaveLength(2);
    await own.apiKeys.delete(created.id);
    expect((await own.apiKeys.list()).map((k) => k.id)).not.toContain(created.id);
    await expect(withNewKey.models()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("throws typed errors carrying the problem details: 401, 404 and 422 naming the field", async () => {
    const stranger = new LlmChatClient({ baseUrl: url, apiKey: "llmc_not_a_real_key" });
    const unauthorized = await stranger.get("qry_01ARZ3NDEKTSV4RRFFQ69G5FAV").catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(AuthenticationError);
    expect(unauthorized).toMatchObject({ status: 401, title: "Unauthorized" });
    expect((unauthorized as AuthenticationError).message).toMatch(/^401 Unauthorized: /);

    const missing = await client.get("qry_01ARZ3NDEKTSV4RRFFQ69G5FAV").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, detail: "query not found" });

    const invalid = await client.submit({ prompt: "hi", params: { temperature: 99 } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    const validation = invalid as ValidationError;
    expect(validation.status).toBe(422);
    expect(validation.problem.type).toMatch(/^urn:llm-chat:problem:/);
    expect(validation.fieldError("/params/temperature")?.in).toBe("body");
    expect(validation.errors.map((e) => e.pointer)).toEqual(["/params/temperature"]);

    await expect(client.stream("qry_01ARZ3NDEKTSV4RRFFQ69G5FAV").next()).rejects.toBeInstanceOf(NotFoundError);
  });

  it("throws a NetworkError, not an ApiError, when the API cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there, so connecting is refused.
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const nowhere = new LlmChatClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "llmc_x" });
    const error = await nowhere.models().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).toBe(
      `cannot reach http://127.0.0.1:${port}/v1/models: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    const stream = nowhere.stream("qry_01ARZ3NDEKTSV4RRFFQ69G5FAV", { maxReconnects: 1, reconnectDelayMs: 10 });
    await expect(stream.next()).rejects.toBeInstanceOf(NetworkError);
  });

  it("verifies a real webhook delivery with the user's secret and rejects a tampered one", async () => {
    const receiver = await startReceiver();
    try {
      const secret = await client.webhookSecret();
      expect(secret).toMatch(/^whsec_/);
      const done = await client.submitAndWait({ prompt: "hook me", webhook: { url: receiver.url } });
      const delivery = await eventually("a webhook to arrive", () => receiver.received[0], {
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      const payload = verifyWebhook(delivery.headers, delivery.body, secret);
      expect(payload).toMatchObject({ type: "query.completed", data: { id: done.id, output: "You said: hook me" } });
      expect(() => verifyWebhook(delivery.headers, delivery.body.replace("hook me", "hack me"), secret)).toThrow(
        WebhookVerificationError,
      );
      // The worker records the attempt once the receiver has answered.
      const deliveries = await eventually(
        "the delivery to be recorded",
        async () => {
          const recorded = await client.deliveries(done.id);
          return recorded.length > 0 ? recorded : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(deliveries[0]).toMatchObject({ event: "completed", statusCode: 204 });

      const rotated = await client.rotateWebhookSecret();
      expect(rotated).not.toBe(secret);
      expect(() => verifyWebhook(delivery.headers, delivery.body, rotated)).toThrow(WebhookVerificationError);
    } finally {
      await receiver.close();
    }
  });
});
