import type { LookupAddress, LookupOptions } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fetch, request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlockedTargetError, checkWebhookTarget, createGuardedDispatcher, createGuardedLookup } from "../src/index.js";
import { fakeLookup } from "./fake-lookup.js";

// The only traffic these tests send goes to a server on 127.0.0.1; every lookup table answers
// with loopback addresses or addresses the guard must refuse before any socket is opened.

type LookupOutcome = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function runLookup(lookup: ReturnType<typeof createGuardedLookup>, host: string, options: LookupOptions) {
  return new Promise<LookupOutcome>((resolve) => {
    lookup(host, options, (err, address, family) => resolve({ err, address, family }));
  });
}

describe("createGuardedLookup", () => {
  it("answers with every address when net asks for all of them", async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, lookup: fakeLookup({ "a.test": ["127.0.0.1", "::1"] }) });
    const outcome = await runLookup(lookup, "a.test", { all: true });
    expect(outcome.err).toBeNull();
    expect(outcome.address).toEqual([
      { address: "127.0.0.1", family: 4 },
      { address: "::1", family: 6 },
    ]);
  });

  it("answers with one address and its family when net asks for a single one", async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, lookup: fakeLookup({ "a.test": ["127.0.0.1", "::1"] }) });
    const outcome = await runLookup(lookup, "a.test", {});
    expect(outcome).toEqual({ err: null, address: "127.0.0.1", family: 4 });
  });

  it("honours a requested address family", async () => {
    const lookup = createGuardedLookup({ allowPrivate: true, lookup: fakeLookup({ "a.test": ["127.0.0.1", "::1"] }) });
    expect(await runLookup(lookup, "a.test", { family: 6 })).toEqual({ err: null, address: "::1", family: 6 });
  });

  it("fails with a blocked error when any address is private", async () => {
    const lookup = createGuardedLookup({
      allowPrivate: false,
      lookup: fakeLookup({ "a.test": ["8.8.8.8", "169.254.169.254"] }),
    });
    const outcome = await runLookup(lookup, "a.test", { all: true });
    expect(outcome.err).toBeInstanceOf(BlockedTargetError);
    expect(outcome.err?.message).toBe("blocked: target is not allowed");
  });

  it("fails with a blocked error when the name does not resolve", async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: fakeLookup({}) });
    const outcome = await runLookup(lookup, "gone.test", {});
    expect(outcome.err?.message).toBe("blocked: does not resolve");
  });
});

describe("createGuardedDispatcher", () => {
  let server: Server;
  let port: number;
  let connections = 0;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url} host=${req.headers.host}`);
      res.end("ok");
    });
    server.on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    connections = 0;
    received.length = 0;
  });

  it("refuses to connect when the host resolves to loopback and private targets are not allowed", async () => {
    const lookup = fakeLookup({ "hooks.example.test": ["127.0.0.1"] });
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2_000, lookup });
    try {
      const attempt = request(`http://hooks.example.test:${port}/deliver`, { method: "POST", body: "{}", dispatcher });
      await expect(attempt).rejects.toThrow("blocked: target is not allowed");
      expect(lookup.calls).toContain("hooks.example.test");
      expect(connections).toBe(0);
      expect(received).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  });

  it("surfaces the blocked error as the cause of a failed fetch", async () => {
    const lookup = fakeLookup({ "hooks.example.test": ["127.0.0.1"] });
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2_000, lookup });
    try {
      const error = await fetch(`http://hooks.example.test:${port}/`, { dispatcher, redirect: "manual" }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).cause).toBeInstanceOf(BlockedTargetError);
      expect(connections).toBe(0);
    } finally {
      await dispatcher.close();
    }
  });

  it("refuses an IP-literal loopback URL, which net would connect to without any lookup", async () => {
    const lookup = fakeLookup({});
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2_000, lookup });
    try {
      await expect(request(`http://127.0.0.1:${port}/`, { dispatcher })).rejects.toThrow(
        "blocked: target is not allowed",
      );
      expect(connections).toBe(0);
    } finally {
      await dispatcher.close();
    }
  });

  it("catches a rebinding: the name passed the submit-time check but points at loopback when delivering", async () => {
    let answer = "8.8.8.8";
    const rebinding = async (): Promise<LookupAddress[]> => [{ address: answer, family: 4 }];
    const url = new URL(`http://rebind.example.test:${port}/`);
    // The submit-time check only classifies the answer; it opens no socket.
    expect(await checkWebhookTarget(url, { allowPrivate: false, lookup: rebinding })).toEqual({
      ok: true,
      addresses: ["8.8.8.8"],
    });
    answer = "127.0.0.1";
    const dispatcher = createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2_000, lookup: rebinding });
    try {
      await expect(request(url, { dispatcher })).rejects.toThrow("blocked: target is not allowed");
      expect(connections).toBe(0);
    } finally {
      await dispatcher.close();
    }
  });

  it("delivers to the local server when private targets are allowed", async () => {
    const lookup = fakeLookup({ "hooks.example.test": ["127.0.0.1"] });
    const dispatcher = createGuardedDispatcher({ allowPrivate: true, connectTimeoutMs: 2_000, lookup });
    try {
      const response = await request(`http://hooks.example.test:${port}/deliver`, {
        method: "POST",
        body: "{}",
        dispatcher,
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe("ok");
      expect(received).toEqual([`POST /deliver host=hooks.example.test:${port}`]);
      expect(lookup.calls).toEqual(["hooks.example.test"]);
    } finally {
      await dispatcher.close();
    }
  });
});
