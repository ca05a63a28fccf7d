import type { Problem } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
type Operations = Record<string, Record<string, { responses: Record<string, unknown> }>>;

describe("attack: probe the edges the OpenAPI document was silent on", () => {
  let system: System;
  let key: string;
  let paths: Operations;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
    key = (await register(system.api.url)).key;
    paths = (await call<{ paths: Operations }>(system.api.url, "/openapi.json")).body.paths;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("answers a method a route lacks with 405 and an Allow header naming the methods it takes, in each surface's error shape", async () => {
    const url = system.api.url;
    const put = await call<Problem>(url, "/v1/queries", { method: "PUT", key });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(put.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(put.body.title).toBe("Method not allowed");

    // Which methods a path takes is public (the document lists them): no credentials needed to learn it.
    const anonymous = await call(url, "/v1/queries/qry_01ARZ3NDEKTSV4RRFFQ69G5FAV", { method: "PATCH" });
    expect(anonymous.status).toBe(405);
    expect(anonymous.headers.get("allow")).toBe("GET, HEAD");

    const openAi = await call<OpenAiErrorBody>(url, "/v1/chat/completions", { method: "DELETE", key });
    expect(openAi.status).toBe(405);
    expect(openAi.headers.get("allow")).toBe("POST");
    expect(openAi.body.error.type).toBe("invalid_request_error");

    const health = await call(url, "/healthz", { method: "POST", raw: "" });
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");

    // The Allow header and the document agree, method for method.
    const documented = Object.keys(paths["/v1/queries"] ?? {})
      .map((m) => m.toUpperCase())
      .sort();
    expect(
      put.headers
        .get("allow")
        ?.split(", ")
        .filter((m) => m !== "HEAD"),
    ).toEqual(documented);

    const nowhere = await call<Problem>(url, "/v1/no-such-thing", { method: "PUT", key });
    expect(nowhere.status).toBe(404);
  });

  it("refuses every JSON body that is not an object with 400, an empty array as much as a string, a number or null", async () => {
    const url = system.api.url;
    for (const raw of ['"hi"', "5", "null", "[]", "[1]"]) {
      const native = await call<Problem>(url, "/v1/queries", {
        key,
        raw,
        headers: { "content-type": "application/json" },
      });
      expect([raw, native.status, native.body.title]).toEqual([raw, 400, "Malformed JSON"]);
      const openAi = await call<OpenAiErrorBody>(url, "/v1/chat/completions", {
        key,
        raw,
        headers: { "content-type": "application/json" },
      });
      expect([raw, openAi.status, openAi.body.error.type]).toEqual([raw, 400, "invalid_request_error"]);
    }
  });

  it("refuses a NUL character in any text the API would store, naming the field, where it used to be a 500", async () => {
    const url = system.api.url;
    const title = await call<Problem>(url, "/v1/conversations", { key, json: { model: "llama2", title: "a\u0000b" } });
    expect(title.status).toBe(422);
    expect(title.body.errors?.map((e) => e.pointer)).toEqual(["/title"]);

    const prompt = await call<Problem>(url, "/v1/queries", { key, json: { prompt: "hello\u0000" } });
    expect(prompt.status).toBe(422);
    expect(prompt.body.errors?.map((e) => e.pointer)).toEqual(["/prompt"]);

    const chat = await call<OpenAiErrorBody>(url, "/v1/chat/completions", {
      key,
      json: {
        model: "llama2",
        messages: [
          { role: "user", content: "hi" },
          { role: "user", content: "\u0000" },
        ],
      },
    });
    expect(chat.status).toBe(400);
    expect(chat.body.error.param).toBe("messages[1].content");
  });

  it("documents every status these probes met: 400, 401, 413, 415 and 422 on JSON bodies, 401 and 429 on every bearer route", async () => {
    const url = system.api.url;
    const statuses = (path: string, method: string) => Object.keys(paths[path]?.[method]?.responses ?? {});

    const malformed = await call(url, "/v1/api-keys", {
      key,
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const tooLarge = await call(url, "/v1/api-keys", { key, json: { name: "x".repeat(100_000) } });
    expect(tooLarge.status).toBe(413);
    const notJson = await call(url, "/v1/api-keys", { key, raw: "name=x", headers: { "content-type": "text/plain" } });
    expect(notJson.status).toBe(415);
    const invalid = await call(url, "/v1/api-keys", { key, json: { name: "" } });
    expect(invalid.status).toBe(422);
    const badCursor = await call(url, "/v1/queries?cursor=bm90LWEtY3Vyc29y", { key });
    expect(badCursor.status).toBe(422);
    expect(statuses("/v1/api-keys", "post")).toEqual(expect.arrayContaining(["400", "401", "413", "415", "422"]));
    expect(statuses("/v1/queries", "get")).toEqual(expect.arrayContaining(["401", "422", "429"]));

    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const secured = (operation as { security?: unknown[] }).security !== undefined;
        const body = (operation as { requestBody?: unknown }).requestBody !== undefined;
        const codes = Object.keys(operation.responses);
        if (secured) expect([method, path, codes]).toEqual([method, path, expect.arrayContaining(["401", "429"])]);
        if (body) expect([method, path, codes]).toEqual([method, path, expect.arrayContaining(["400", "413", "415"])]);
      }
    }
    const unauthenticated = await call(url, "/v1/webhook-secret");
    expect(unauthenticated.status).toBe(401);
  });
});
