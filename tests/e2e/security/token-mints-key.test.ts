import type { ApiKey, Problem, TokenPair } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

const PASSWORD = "correct horse battery staple";

describe("attack: turn a stolen access token into a key that outlives the session", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("mints no API key from an access token without the password, so logging out leaves the thief nothing", async () => {
    const url = system.api.url;
    const { email, key } = await register(url);
    const login = await call<TokenPair>(url, "/v1/auth/login", {
      json: { email, password: PASSWORD },
    });
    const token = login.body.accessToken;

    const bare = await call<Problem>(url, "/v1/api-keys", {
      key: token,
      json: { name: "thief" },
    });
    expect(bare.status).toBe(422);
    expect(bare.body.errors?.map((e) => e.pointer)).toEqual(["/password"]);
    const guessed = await call(url, "/v1/api-keys", { key: token, json: { name: "thief", password: "a guess" } });
    expect(guessed.status).toBe(401);
    const listed = await call<{ data: ApiKey[] }>(url, "/v1/api-keys", { key });
    expect(listed.body.data.map((k) => k.name)).not.toContain("thief");

    // The owner, who knows the password, can; an API key holder needs no password.
    const owned = await call(url, "/v1/api-keys", { key: token, json: { name: "mine", password: PASSWORD } });
    expect(owned.status).toBe(201);
    expect((await call(url, "/v1/api-keys", { key, json: { name: "from a key" } })).status).toBe(201);

    await call(url, "/v1/auth/logout", { json: { refreshToken: login.body.refreshToken } });
    expect((await call(url, "/v1/conversations", { key: token })).status).toBe(401);
  });
});
