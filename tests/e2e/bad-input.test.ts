import type { Conversation, Problem, RegisterResponse } from "@llm-chat/contracts";
import { withMongo } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

describe("bad input", () => {
  let system: System;
  let url: string;
  let key: string;
  let userId: string;
  let conversationId: string;

  beforeAll(async () => {
    system = await startSystem();
    url = system.api.url;
    ({ key, userId } = await register(url));
    const res = await call<Conversation>(url, "/v1/conversations", { key, json: { model: "llama2" } });
    conversationId = res.body.id;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const counts = () =>
    withMongo(system.isolation.mongoUrl, async (client) => {
      const db = client.db();
      const [conversations, queries, messages] = await Promise.all([
        db.collection("conversations").countDocuments({ userId }),
        db.collection("queries").countDocuments({ userId }),
        db.collection("messages").countDocuments({ userId }),
      ]);
      return { conversations, queries, messages };
    });

  const cases: {
    name: string;
    send: () => Promise<{ status: number; body: Problem; headers: Headers }>;
    status: number;
    pointer?: string;
    detail?: RegExp;
  }[] = [
    {
      name: "a missing prompt",
      send: () => call(url, "/v1/queries", { key, json: { conversationId } }),
      status: 422,
      pointer: "/prompt",
    },
    {
      name: "an empty prompt",
      send: () => call(url, "/v1/queries", { key, json: { conversationId, prompt: "   " } }),
      status: 422,
      pointer: "/prompt",
    },
    {
      name: "a prompt that is not a string",
      send: () => call(url, "/v1/queries", { key, json: { prompt: 42 } }),
      status: 422,
      pointer: "/prompt",
    },
    {
      name: "an unknown model",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", model: "gpt-99" } }),
      status: 422,
      pointer: "/model",
    },
    {
      name: "an unknown field",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", temprature: 1 } }),
      status: 422,
      detail: /temprature/,
    },
    {
      name: "out-of-range params",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", params: { temperature: 9 } } }),
      status: 422,
      pointer: "/params/temperature",
    },
    {
      name: "malformed JSON",
      send: () =>
        call(url, "/v1/queries", { key, raw: '{"prompt": "hi",', headers: { "content-type": "application/json" } }),
      status: 400,
    },
    {
      name: "a conversation id that does not exist",
      send: () =>
        call(url, "/v1/queries", { key, json: { prompt: "hi", conversationId: "conv_01ARZ3NDEKTSV4RRFFQ69G5FAV" } }),
      status: 404,
      pointer: "/conversationId",
    },
    {
      name: "a conversation id of the wrong shape",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", conversationId: "../etc" } }),
      status: 422,
      pointer: "/conversationId",
    },
    {
      name: "a non-JSON content type",
      send: () =>
        call(url, "/v1/queries", {
          key,
          raw: "prompt=hi",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
      status: 415,
    },
    { name: "no body at all", send: () => call(url, "/v1/queries", { key, method: "POST" }), status: 422 },
    {
      name: "a prompt longer than the model's window",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "word ".repeat(6000), model: "llama2" } }),
      status: 422,
      pointer: "/prompt",
      detail: /takes \d+ tokens .* fits 3584 beside an answer of 512/,
    },
    {
      name: "an answer budget as large as the window",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", params: { maxTokens: 4096 } } }),
      status: 422,
      pointer: "/params/maxTokens",
    },
    {
      name: "a body over the size limit",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "x".repeat(200_000) } }),
      status: 413,
    },
    {
      name: "a model that differs from the conversation's",
      send: () => call(url, "/v1/queries", { key, json: { prompt: "hi", conversationId, model: "mistral" } }),
      status: 422,
      pointer: "/model",
    },
    {
      name: "a conversation with an unknown model",
      send: () => call(url, "/v1/conversations", { key, json: { model: "nope" } }),
      status: 422,
      pointer: "/model",
    },
    {
      name: "a bad page size",
      send: () => call(url, "/v1/conversations?limit=1000", { key }),
      status: 422,
      pointer: "/limit",
    },
    {
      name: "a forged cursor",
      send: () => call(url, "/v1/conversations?cursor=Zm9v", { key }),
      status: 422,
      pointer: "/cursor",
    },
  ];

  for (const c of cases) {
    it(`answers ${c.name} with ${c.status} problem+json and writes nothing`, async () => {
      const before = await counts();
      const res = await c.send();
      expect(res.status).toBe(c.status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.status).toBe(c.status);
      expect(res.body.title).toEqual(expect.any(String));
      expect(res.body.type).toMatch(/^urn:llm-chat:problem:/);
      if (c.pointer) expect(res.body.errors?.map((e) => e.pointer)).toContain(c.pointer);
      if (c.detail) expect(res.body.detail).toMatch(c.detail);
      expect(await counts()).toEqual(before);
    });
  }

  it("refuses requests without a valid API key with 401", async () => {
    const none = await call<Problem>(url, "/v1/conversations");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await call<Problem>(url, "/v1/conversations", { key: "llmc_not-a-real-key" });
    expect(wrong.status).toBe(401);
  });

  it("refuses a duplicate or invalid registration", async () => {
    const email = `dup-${Date.now()}@example.test`;
    const first = await call(url, "/v1/auth/register", { json: { email, password: "long enough password" } });
    expect(first.status).toBe(201);
    const again = await call<Problem>(url, "/v1/auth/register", {
      json: { email: email.toUpperCase(), password: "long enough password" },
    });
    expect(again.status).toBe(409);
    const short = await call<Problem>(url, "/v1/auth/register", {
      json: { email: "x@example.test", password: "short" },
    });
    expect(short.status).toBe(422);
    expect(short.body.errors?.map((e) => e.pointer)).toContain("/password");
    const noEmail = await call<Problem>(url, "/v1/auth/register", {
      json: { email: "nope", password: "long enough password" },
    });
    expect(noEmail.body.errors?.map((e) => e.pointer)).toContain("/email");
  });

  it("stores the password as an argon2id hash and the API key only as a hash", async () => {
    const email = `hash-${Date.now()}@example.test`;
    const res = await call<RegisterResponse>(url, "/v1/auth/register", {
      json: { email, password: "long enough password" },
    });
    const stored = await withMongo(system.isolation.mongoUrl, async (client) => ({
      user: await client.db().collection("users").findOne({ email }),
      key: await client.db().collection("api_keys").findOne({ userId: res.body.user.id }),
    }));
    expect(String(stored.user?.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored.key)).not.toContain(res.body.apiKey.secret);
    expect(res.body.apiKey.secret.startsWith(res.body.apiKey.prefix)).toBe(true);
  });

  it("answers an unknown route with a 404 problem", async () => {
    const res = await call<Problem>(url, "/v1/nothing-here", { key });
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain("/v1/nothing-here");
  });
});
