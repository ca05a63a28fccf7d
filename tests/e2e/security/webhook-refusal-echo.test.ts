import { readFileSync } from "node:fs";
import type { Problem } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

/** Loopback and the private ranges a test machine's own names point at (no traffic is sent to them). */
const PRIVATE = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd][0-9a-f]{2}:)/i;

/**
 * A name, other than localhost (refused by name alone, before any lookup), that this machine's
 * hosts file points at a private address: the API resolves it without a packet leaving the host.
 */
function privateHostName(): { name: string; address: string } {
  for (const line of readFileSync("/etc/hosts", "utf8").split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address === undefined || !PRIVATE.test(address)) continue;
    const name = names.find((n) => n !== "" && !/(^|\.)localhost$/i.test(n));
    if (name !== undefined) return { name, address };
  }
  throw new Error("/etc/hosts names no private address other than localhost");
}

describe("attack: learn where internal names point from webhook URL refusals", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("refuses a name that resolves to a private address without naming the address", async () => {
    const { name, address } = privateHostName();
    const { key } = await register(system.api.url);
    const res = await call<Problem>(system.api.url, "/v1/queries", {
      key,
      json: { prompt: "x", webhook: { url: `http://${name}:9/hook` } },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe("webhook.url target is not allowed");
    expect(res.body.errors?.map((e) => e.message)).toEqual(["target is not allowed"]);
    expect(JSON.stringify(res.body)).not.toContain(address);
  });

  it("gives an IP literal the same answer, so the two cannot be told apart", async () => {
    const { key } = await register(system.api.url);
    const res = await call<Problem>(system.api.url, "/v1/queries", {
      key,
      json: { prompt: "x", webhook: { url: "http://127.0.0.1:9/hook" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe("webhook.url target is not allowed");
  });
});
