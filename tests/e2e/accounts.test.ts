import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { Problem, RegisterResponse } from "@llm-chat/contracts";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

interface Pair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

const PASSWORD = "correct horse battery staple";

describe("accounts and access", () => {
  let system: System;
  let url: string;

  beforeAll(async () => {
    system = await startSystem({ workers: 0, env: { ADMIN_EMAILS: "boss@example.test" } });
    url = system.api.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const login = (email: string, password = PASSWORD) =>
    call<Pair>(url, "/v1/auth/login", { json: { email, password } });
  const refresh = (refreshToken: string) => call<Pair>(url, "/v1/auth/refresh", { json: { refreshToken } });
  const canRead = async (token: string) => (await call(url, "/v1/conversations", { key: token })).status;

  it("logs in with email and password and uses the access token as a bearer", async () => {
    const { email } = await register(url);
    const res = await login(email);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.tokenType).toBe("Bearer");
    expect(res.body.expiresIn).toBe(900);
    expect(await canRead(res.body.accessToken)).toBe(200);
  });

  it("answers an unknown email exactly like a wrong password", async () => {
    const { email } = await register(url);
    const wrong = await login(email, "not the password at all");
    const unknown = await login("nobody-at-all@example.test");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("rotates refresh tokens, and a reused one revokes the whole session", async () => {
    const { email } = await register(url);
    const first = (await login(email)).body;
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(await canRead(second.body.accessToken)).toBe(200);

    // The first refresh token again: someone kept a copy. Everything of this login dies.
    expect((await refresh(first.refreshToken)).status).toBe(401);
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
    expect(await canRead(second.body.accessToken)).toBe(401);
    // Another login of the same user is unaffected.
    expect(await canRead((await login(email)).body.accessToken)).toBe(200);
  });

  it("logs out: the refresh token and its access tokens stop working at once", async () => {
    const { email } = await register(url);
    const pair = (await login(email)).body;
    const out = await call(url, "/v1/auth/logout", { json: { refreshToken: pair.refreshToken } });
    expect(out.status).toBe(204);
    expect((await refresh(pair.refreshToken)).status).toBe(401);
    expect(await canRead(pair.accessToken)).toBe(401);
  });

  it("refuses missing, malformed, forged and expired tokens with 401", async () => {
    const { userId } = await register(url);
    expect((await call(url, "/v1/conversations")).status).toBe(401);
    expect(await canRead("not-a-token")).toBe(401);
    expect(await canRead("a.b.c")).toBe(401);
    const secret = new TextEncoder().encode(system.env.JWT_SECRET);
    const claims = { sid: "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV" };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("llm-chat")
      .setAudience("llm-chat-api")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    expect(await canRead(expired)).toBe(401);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("llm-chat")
      .setAudience("llm-chat-api")
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("some-other-secret-of-at-least-32-characters"));
    expect(await canRead(forged)).toBe(401);
  });

  it("creates, lists and revokes API keys; a revoked key stops working at once on every API process", async () => {
    const { key } = await register(url);
    const created = await call<{ id: string; secret: string; prefix: string; name: string }>(url, "/v1/api-keys", {
      key,
      json: { name: "ci server" },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);
    expect(await canRead(created.body.secret)).toBe(200);

    const listed = await call<{ data: Record<string, unknown>[] }>(url, "/v1/api-keys", { key });
    const names = listed.body.data.map((k) => k.name);
    expect(names).toContain("ci server");
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(listed.body.data.every((k) => "lastUsedAt" in k && "prefix" in k && !("secret" in k))).toBe(true);

    const { startApi } = await import("./support/processes.js");
    const other = await startApi(system.env);
    try {
      expect((await call(other.url, "/v1/conversations", { key: created.body.secret })).status).toBe(200);
      expect((await call(url, `/v1/api-keys/${created.body.id}`, { key, method: "DELETE" })).status).toBe(204);
      expect((await call(other.url, "/v1/conversations", { key: created.body.secret })).status).toBe(401);
      expect(await canRead(created.body.secret)).toBe(401);
    } finally {
      await other.stop("SIGKILL");
    }
    expect((await call(url, `/v1/api-keys/${created.body.id}`, { key, method: "DELETE" })).status).toBe(404);
  });

  it("opens operator routes to admins only, who are made by the CLI (or ADMIN_EMAILS at start), never the API", async () => {
    const user = await register(url);
    expect((await call(url, "/v1/admin/queues", { key: user.key })).status).toBe(403);

    // Listed in ADMIN_EMAILS but registered after start: registering grants nothing.
    const boss = await call<RegisterResponse>(url, "/v1/auth/register", {
      json: { email: "boss@example.test", password: PASSWORD },
    });
    expect((await call(url, "/v1/admin/queues", { key: boss.body.apiKey.secret })).status).toBe(403);

    const cli = spawn(process.execPath, ["apps/api/dist/cli/admin.js", "grant", user.email], {
      cwd: fileURLToPath(new URL("../../", import.meta.url)),
      env: { PATH: process.env.PATH ?? "", MONGO_URL: system.env.MONGO_URL ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    cli.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(cli, "exit");
    expect(code).toBe(0);
    expect(output).toContain("is now an admin");
    const counts = await call<{ queues: Record<string, unknown> }>(url, "/v1/admin/queues", { key: user.key });
    expect(counts.status).toBe(200);
    expect(Object.keys(counts.body.queues).sort()).toEqual(["query", "summary", "webhook"]);
  });

  it("validates registration and refuses a taken email with 409", async () => {
    const bad = await call<Problem>(url, "/v1/auth/register", {
      json: { email: "not-an-email", password: "short" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.map((e) => e.pointer).sort()).toEqual(["/email", "/password"]);
    const { email } = await register(url);
    expect((await call(url, "/v1/auth/register", { json: { email, password: PASSWORD } })).status).toBe(409);
  });
});
