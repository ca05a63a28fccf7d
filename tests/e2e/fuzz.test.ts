import type { Conversation } from "@llm-chat/contracts";
import { withMongo } from "@llm-chat/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

const operatorObject = fc.constantFrom<unknown>(
  { $gt: "" },
  { $ne: null },
  { $where: "sleep(1000)" }, // an injection payload sent to the API, not a wait
  { $regex: ".*" },
  { $in: ["a"] },
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
);
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ minLength: 10_000, maxLength: 80_000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("", " ", "\u0000", "../../etc/passwd", "<script>", "qry_", "conv_01ARZ3NDEKTSV4RRFFQ69G5FAV"),
  operatorObject,
);
// Deep nesting goes as JSON text: an object that deep would overflow fast-check's own printer.
const deep = fc.integer({ min: 50, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
const body = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      "prompt",
      "model",
      "conversationId",
      "email",
      "password",
      "name",
      "title",
      "system",
      "params",
      "webhook",
      "refreshToken",
      "messages",
      "input",
      "instructions",
      "previous_response_id",
      "metadata",
      "n",
      "stream",
      "max_tokens",
      "__proto__",
      "$set",
      "constructor",
    ),
    fc.oneof(nasty, fc.dictionary(fc.string(), nasty)),
  ),
  fc.anything({ withNullPrototype: true, maxDepth: 4 }),
  fc.array(nasty),
  operatorObject,
);
const id = fc
  .oneof(
    fc.string(),
    fc.constantFrom(
      '{"$gt":""}',
      "%7B%22%24gt%22%3A%22%22%7D",
      "[$ne]=1",
      "__proto__",
      "constructor",
      "qry_01ARZ3NDEKTSV4RRFFQ69G5FAV",
      "..%2F..%2F",
    ),
  )
  .map((s) => encodeURIComponent(s));
const queryString = fc
  .dictionary(
    fc.constantFrom(
      "limit",
      "cursor",
      "status",
      "conversationId",
      "limit[$gt]",
      "__proto__",
      "status[$ne]",
      "stream",
      "starting_after",
    ),
    fc.string(),
  )
  .map((q) => new URLSearchParams(q).toString());

const route = fc.oneof(
  fc.record({
    method: fc.constant("POST"),
    path: fc.constantFrom(
      "/v1/auth/register",
      "/v1/auth/login",
      "/v1/auth/refresh",
      "/v1/auth/logout",
      "/v1/conversations",
      "/v1/queries",
      "/v1/api-keys",
      "/v1/chat/completions",
      "/v1/responses",
    ),
  }),
  fc.record({ method: fc.constant("GET"), path: id.map((i) => `/v1/responses/${i}`) }),
  fc.record({ method: fc.constant("POST"), path: id.map((i) => `/v1/responses/${i}/cancel`) }),
  fc.record({ method: fc.constant("GET"), path: queryString.map((q) => `/v1/responses/qry_x?${q}`) }),
  fc.record({ method: fc.constantFrom("GET", "DELETE"), path: id.map((i) => `/v1/conversations/${i}`) }),
  fc.record({ method: fc.constant("GET"), path: id.map((i) => `/v1/queries/${i}`) }),
  fc.record({ method: fc.constant("GET"), path: id.map((i) => `/v1/queries/${i}/deliveries`) }),
  fc.record({ method: fc.constant("POST"), path: id.map((i) => `/v1/queries/${i}/cancel`) }),
  fc.record({ method: fc.constant("DELETE"), path: id.map((i) => `/v1/api-keys/${i}`) }),
  fc.record({ method: fc.constant("GET"), path: queryString.map((q) => `/v1/conversations?${q}`) }),
  fc.record({ method: fc.constant("GET"), path: queryString.map((q) => `/v1/queries?${q}`) }),
);
const encoding = fc.constantFrom("json", "raw", "form", "none");
const rawText = fc.oneof(
  fc.string(),
  deep,
  fc.constantFrom("{", '{"prompt":', "[[[[", "\u0000\u0001", "null", '{"a":1}{"b":2}'),
);

/** Every key of every stored document, at any depth. */
function keysOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      keysOf(v, into);
    }
  }
  return into;
}

describe("malformed requests", () => {
  let system: System;
  let url: string;
  let key: string;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
    url = system.api.url;
    ({ key } = await register(url));
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("never get a 5xx across 1,000 requests to every route, and write nothing with an operator key", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(route, body, encoding, rawText, fc.boolean(), async (r, json, how, raw, authed) => {
        const headers: Record<string, string> = {};
        let payload: { json?: unknown; raw?: string } = {};
        // fetch cannot send a body with GET; those requests fuzz the path and query only.
        if (r.method === "GET") how = "none";
        if (how === "json") payload = { json };
        if (how === "raw") {
          payload = { raw };
          headers["content-type"] = "application/json";
        }
        if (how === "form") {
          payload = { raw };
          headers["content-type"] = "application/x-www-form-urlencoded";
        }
        const res = await call(url, r.path, {
          method: r.method,
          key: authed ? key : "llmc_bogus",
          headers,
          ...payload,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500);
      }),
      { numRuns: 1000 },
    );
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    expect((await call(url, "/healthz")).status).toBe(200);
    expect((await call(url, "/readyz")).status).toBe(200);
    // Still serving real requests correctly.
    const ok = await call<Conversation>(url, "/v1/conversations", { key, json: { model: "llama2" } });
    expect(ok.status).toBe(201);
    expect(ok.body).not.toHaveProperty("polluted");

    const stored = await withMongo(system.isolation.mongoUrl, async (client) => {
      const db = client.db();
      const collections = await db.listCollections().toArray();
      const keys: string[] = [];
      for (const { name } of collections) {
        for (const doc of await db.collection(name).find({}).toArray()) keysOf(doc, keys);
      }
      return keys;
    });
    expect(stored.filter((k) => k.startsWith("$") || k === "__proto__" || k === "constructor")).toEqual([]);
  }, 180_000);
});
