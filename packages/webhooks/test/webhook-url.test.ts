import { describe, expect, it } from "vitest";
import { checkWebhookTarget, MAX_WEBHOOK_URL_LENGTH, parseWebhookUrl } from "../src/index.js";
import { fakeLookup } from "./fake-lookup.js";

// Pure checks: every name is answered by fakeLookup, and nothing opens a socket.

function urlOf(raw: string): URL {
  const parsed = parseWebhookUrl(raw);
  if (!parsed.ok) throw new Error(`test URL refused: ${parsed.reason}`);
  return parsed.url;
}

describe("parseWebhookUrl", () => {
  it("accepts an https URL with a port, path and query", () => {
    const parsed = parseWebhookUrl("https://hooks.example.test:8443/in/abc?x=1");
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.url.href).toBe("https://hooks.example.test:8443/in/abc?x=1");
  });

  it("accepts a plain http URL", () => {
    expect(parseWebhookUrl("http://hooks.example.test/").ok).toBe(true);
  });

  it("drops a fragment because it is never sent to the receiver", () => {
    const parsed = parseWebhookUrl("https://hooks.example.test/in#section");
    expect(parsed.ok && parsed.url.href).toBe("https://hooks.example.test/in");
  });

  it.each(["ftp://hooks.example.test/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://hooks.example.test/"])(
    "refuses the non-http scheme in %s",
    (raw) => {
      expect(parseWebhookUrl(raw)).toEqual({ ok: false, reason: "URL must use http or https" });
    },
  );

  it.each(["http://user:pw@hooks.example.test/", "https://user@hooks.example.test/", "http://:pw@hooks.example.test/"])(
    "refuses credentials embedded in %s",
    (raw) => {
      expect(parseWebhookUrl(raw)).toEqual({ ok: false, reason: "URL must not contain credentials" });
    },
  );

  it.each(["", "not a url", "http://", "https://[::1/", "/relative/path"])("refuses the malformed input %j", (raw) => {
    expect(parseWebhookUrl(raw).ok).toBe(false);
  });

  it("refuses whitespace and control characters the URL parser would silently drop", () => {
    expect(parseWebhookUrl(" https://hooks.example.test/").ok).toBe(false);
    expect(parseWebhookUrl("https://hooks.exa\tmple.test/").ok).toBe(false);
    expect(parseWebhookUrl("https://hooks.example.test/\n").ok).toBe(false);
  });

  it("accepts a URL of exactly the maximum length and refuses one a character longer", () => {
    const base = "https://hooks.example.test/";
    const atLimit = base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length);
    expect(parseWebhookUrl(atLimit).ok).toBe(true);
    expect(parseWebhookUrl(`${atLimit}a`).ok).toBe(false);
  });
});

describe("checkWebhookTarget", () => {
  const strict = (table: Record<string, string[]> = {}) => ({ allowPrivate: false, lookup: fakeLookup(table) });

  it("refuses http://localhost/x without asking DNS", async () => {
    const lookup = fakeLookup({ localhost: ["8.8.8.8"] });
    const result = await checkWebhookTarget(urlOf("http://localhost/x"), { allowPrivate: false, lookup });
    expect(result).toEqual({ ok: false, reason: "target is not allowed" });
    expect(lookup.calls).toEqual([]);
  });

  it.each(["http://api.localhost/", "http://LOCALHOST./", "http://a.b.localhost:9000/"])(
    "refuses the localhost name in %s",
    async (raw) => {
      expect((await checkWebhookTarget(urlOf(raw), strict())).ok).toBe(false);
    },
  );

  it("refuses the IPv6 loopback literal in http://[::1]:8080/", async () => {
    const result = await checkWebhookTarget(urlOf("http://[::1]:8080/"), strict());
    expect(result).toEqual({ ok: false, reason: "target is not allowed" });
  });

  it.each([
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/",
  ])("refuses the private IP literal however it is spelled: %s", async (raw) => {
    const lookup = fakeLookup({});
    const result = await checkWebhookTarget(urlOf(raw), { allowPrivate: false, lookup });
    expect(result.ok).toBe(false);
    expect(lookup.calls).toEqual([]);
  });

  it("accepts a public IP literal without asking DNS", async () => {
    const lookup = fakeLookup({});
    const result = await checkWebhookTarget(urlOf("https://8.8.8.8/hook"), { allowPrivate: false, lookup });
    expect(result).toEqual({ ok: true, addresses: ["8.8.8.8"] });
    expect(lookup.calls).toEqual([]);
  });

  it("refuses a name that resolves to a public and a private address because every address must be public", async () => {
    const result = await checkWebhookTarget(
      urlOf("https://mixed.example.test/"),
      strict({ "mixed.example.test": ["8.8.8.8", "10.0.0.1"] }),
    );
    expect(result).toEqual({ ok: false, reason: "target is not allowed" });
  });

  it("never names the address a refused name resolved to", async () => {
    const result = await checkWebhookTarget(
      urlOf("https://internal.example.test/"),
      strict({ "internal.example.test": ["10.20.30.40", "fd12:3456::1"] }),
    );
    expect(result).toEqual({ ok: false, reason: "target is not allowed" });
    expect(JSON.stringify(result)).not.toMatch(/10\.20\.30\.40|fd12/);
  });

  it("refuses a name whose IPv6 answer is IPv4-mapped loopback", async () => {
    const result = await checkWebhookTarget(
      urlOf("https://sneaky.example.test/"),
      strict({ "sneaky.example.test": ["2001:4860:4860::8888", "::ffff:7f00:1"] }),
    );
    expect(result.ok).toBe(false);
  });

  it("accepts a name that resolves only to public addresses and reports them", async () => {
    const lookup = fakeLookup({ "hooks.example.test": ["8.8.8.8", "2001:4860:4860::8888"] });
    const result = await checkWebhookTarget(urlOf("https://hooks.example.test/in"), { allowPrivate: false, lookup });
    expect(result).toEqual({ ok: true, addresses: ["8.8.8.8", "2001:4860:4860::8888"] });
    expect(lookup.calls).toEqual(["hooks.example.test"]);
  });

  it("refuses a name that fails to resolve", async () => {
    const result = await checkWebhookTarget(urlOf("https://nowhere.example.test/"), strict());
    expect(result).toEqual({ ok: false, reason: "does not resolve" });
  });

  it("refuses a name that resolves to no addresses at all", async () => {
    const result = await checkWebhookTarget(urlOf("https://empty.example.test/"), strict({ "empty.example.test": [] }));
    expect(result).toEqual({ ok: false, reason: "does not resolve" });
  });

  it("accepts 127.0.0.1 when private targets are allowed", async () => {
    const result = await checkWebhookTarget(urlOf("http://127.0.0.1:3000/"), {
      allowPrivate: true,
      lookup: fakeLookup({}),
    });
    expect(result).toEqual({ ok: true, addresses: ["127.0.0.1"] });
  });

  it("accepts a name resolving to a private address when private targets are allowed", async () => {
    const result = await checkWebhookTarget(urlOf("http://receiver.example.test/"), {
      allowPrivate: true,
      lookup: fakeLookup({ "receiver.example.test": ["10.0.0.5"] }),
    });
    expect(result).toEqual({ ok: true, addresses: ["10.0.0.5"] });
  });

  it("still refuses a name that fails to resolve when private targets are allowed", async () => {
    const result = await checkWebhookTarget(urlOf("http://nowhere.example.test/"), {
      allowPrivate: true,
      lookup: fakeLookup({}),
    });
    expect(result).toEqual({ ok: false, reason: "does not resolve" });
  });
});
