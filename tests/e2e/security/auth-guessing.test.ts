import { hashApiKey } from "@llm-chat/store";
import { withMongo } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

const PASSWORD = "correct horse battery staple";

describe("attack: guess keys, tokens and passwords without ever being slowed down", () => {
  let system: System;

  beforeAll(async () => {
    // One trusted proxy: the client address comes from X-Forwarded-For, so the test can
    // speak from many addresses (headers only; every packet goes to 127.0.0.1).
    system = await startSystem({
      workers: 0,
      env: { TRUST_PROXY_HOPS: "1", AUTH_FAILURES_PER_IP: "5", AUTH_FAILURES_PER_EMAIL: "3" },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const from = (ip: string) => ({ "x-forwarded-for": ip });
  const read = (key: string, ip: string) => call(system.api.url, "/v1/conversations", { key, headers: from(ip) });
  const login = (email: string, password: string, ip: string) =>
    call(system.api.url, "/v1/auth/login", { json: { email, password }, headers: from(ip) });

  it("answers 429 to a client past its failed-key limit, even for a right key, and not to others", async () => {
    const { key } = await register(system.api.url);
    for (let i = 0; i < 5; i++) expect((await read(`llmc_guess${i}`, "198.51.100.7")).status).toBe(401);
    const refused = await read("llmc_guess6", "198.51.100.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await read(key, "198.51.100.7")).status).toBe(429);
    expect((await read(key, "198.51.100.8")).status).toBe(200);
  });

  it("counts an IPv6 client by its /64, so walking its own block buys nothing", async () => {
    const { key } = await register(system.api.url);
    for (let i = 1; i <= 5; i++) {
      expect((await read("eyJhbGciOiJIUzI1NiJ9.e30.bad", `2001:db8:aa:1::${i}`)).status).toBe(401);
    }
    expect((await read(key, "2001:db8:aa:1:ffff:ffff:ffff:ffff")).status).toBe(429);
    expect((await read(key, "2001:db8:aa:2::1")).status).toBe(200);
  });

  it("limits failed logins per email across addresses, and counts bad refresh tokens per client", async () => {
    const { email } = await register(system.api.url);
    for (let i = 0; i < 3; i++)
      expect((await login(email, "wrong password guess", `203.0.113.${i + 1}`)).status).toBe(401);
    // The right password, from a fresh address: still refused until the window passes.
    expect((await login(email, PASSWORD, "203.0.113.50")).status).toBe(429);
    const other = await register(system.api.url);
    expect((await login(other.email, PASSWORD, "203.0.113.50")).status).toBe(200);

    for (let i = 0; i < 5; i++) {
      const res = await call(system.api.url, "/v1/auth/refresh", {
        json: { refreshToken: `llmr_guess${i}` },
        headers: from("192.0.2.9"),
      });
      expect(res.status).toBe(401);
    }
    expect((await login(other.email, PASSWORD, "192.0.2.9")).status).toBe(429);
  });

  it("refuses an API key of the old id-less form, which could only be found by its hash", async () => {
    const { userId } = await register(system.api.url);
    const secret = "llmc_legacyrandompartthatcarriesnoidatall123";
    await withMongo(system.isolation.mongoUrl, (client) =>
      client
        .db()
        .collection<{ _id: string; [field: string]: unknown }>("api_keys")
        .insertOne({
          _id: "key_01LEGACY0000000000000000000",
          userId,
          name: "old",
          prefix: secret.slice(0, 11),
          hash: hashApiKey(secret),
          createdAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        }),
    );
    expect((await read(secret, "198.51.100.99")).status).toBe(401);
  });
});
