import type { ApiKey, Conversation, Page, Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { readSse } from "./support/sse.js";
import { type System, startSystem } from "./support/system.js";

/**
 * Every route that takes an id: the owner gets it, anybody else gets the same 404 as for an
 * id that does not exist. No worker runs, so A's query stays open for cancel.
 */
describe("isolation between users", () => {
  let system: System;
  let url: string;
  let a: { key: string };
  let b: { key: string };
  let conversationId: string;
  let query: Query;
  let keyId: string;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
    url = system.api.url;
    a = await register(url);
    b = await register(url);
    conversationId = (await call<Conversation>(url, "/v1/conversations", { key: a.key, json: { model: "llama2" } }))
      .body.id;
    query = (await call<Query>(url, "/v1/queries", { key: a.key, json: { conversationId, prompt: "mine" } })).body;
    keyId = (await call<{ id: string }>(url, "/v1/api-keys", { key: a.key, json: { name: "spare" } })).body.id;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const notFoundBody = async (path: string, method = "GET") =>
    (
      await call(url, path.replace(/(qry|conv|key)_[0-9A-Z]{26}/, "$1_01ARZ3NDEKTSV4RRFFQ69G5FAV"), {
        key: b.key,
        method,
      })
    ).body;

  const routes = (): [string, string, number][] => [
    ["GET", `/v1/conversations/${conversationId}`, 200],
    ["GET", `/v1/queries/${query.id}`, 200],
    ["GET", `/v1/queries/${query.id}/deliveries`, 200],
    ["POST", `/v1/queries/${query.id}/cancel`, 200],
    ["GET", `/v1/queries/${query.id}/events`, 200],
    ["DELETE", `/v1/api-keys/${keyId}`, 204],
    ["DELETE", `/v1/conversations/${conversationId}`, 204],
  ];

  it("answers another user's id on every route with the 404 of a missing id, and the owner's request succeeds", async () => {
    for (const [method, path, ownerStatus] of routes()) {
      const stranger = await call(url, path, { key: b.key, method });
      expect(stranger.status, `${method} ${path} as another user`).toBe(404);
      expect(stranger.body, `${method} ${path}`).toEqual(await notFoundBody(path, method));

      if (path.endsWith("/events")) {
        const events: string[] = [];
        const result = await readSse(`${url}${path}`, a.key, (event) => {
          events.push(event.event);
          return undefined;
        });
        expect(result.status).toBe(200);
        expect(events.at(-1)).toBe("done");
        continue;
      }
      const owner = await call(url, path, { key: a.key, method });
      expect(owner.status, `${method} ${path} as its owner`).toBe(ownerStatus);
    }
  });

  it("does not let another user add to, list or cancel what is not theirs", async () => {
    const c = (await call<Conversation>(url, "/v1/conversations", { key: a.key, json: { model: "llama2" } })).body.id;
    const q = (await call<Query>(url, "/v1/queries", { key: a.key, json: { conversationId: c, prompt: "still mine" } }))
      .body;
    expect(
      (await call(url, "/v1/queries", { key: b.key, json: { conversationId: c, prompt: "intruder" } })).status,
    ).toBe(404);
    const listed = await call<Page<Query>>(url, `/v1/queries?conversationId=${c}`, { key: b.key });
    expect(listed.body.data).toEqual([]);
    expect((await call(url, `/v1/queries/${q.id}/cancel`, { key: b.key, method: "POST" })).status).toBe(404);
    expect((await call<Query>(url, `/v1/queries/${q.id}`, { key: a.key })).body.status).toBe("queued");
    const secretA = (await call<{ secret: string }>(url, "/v1/webhook-secret", { key: a.key })).body.secret;
    const secretB = (await call<{ secret: string }>(url, "/v1/webhook-secret", { key: b.key })).body.secret;
    expect(secretA).not.toBe(secretB);
    const keysOfB = await call<{ data: ApiKey[] }>(url, "/v1/api-keys", { key: b.key });
    expect(keysOfB.body.data.map((k) => k.name)).toEqual(["default"]);
  });
});
