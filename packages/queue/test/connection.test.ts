import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, testRedisUrl } from "@llm-chat/testkit";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { assertPrefixFitsRedis, createRedis, parseRedisUrl, RedisUrlError } from "../src/index.js";

describe("REDIS_URL", () => {
  it("reads one server, Sentinel and Cluster forms", () => {
    expect(parseRedisUrl("redis://:s3cret@10.1.2.3:6380/2")).toMatchObject({
      kind: "single",
      hosts: [{ host: "10.1.2.3", port: 6380 }],
      password: "s3cret",
      db: 2,
      tls: false,
    });
    expect(parseRedisUrl("rediss://cache.example:6379").tls).toBe(true);
    expect(parseRedisUrl("redis-sentinel://a:26379,b/mymaster?db=1")).toMatchObject({
      kind: "sentinel",
      hosts: [
        { host: "a", port: 26379 },
        { host: "b", port: 26379 },
      ],
      name: "mymaster",
      db: 1,
    });
    expect(parseRedisUrl("redis-cluster://n1:7000,n2:7001?tls=true")).toMatchObject({
      kind: "cluster",
      hosts: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 7001 },
      ],
      tls: true,
    });
    expect(() => parseRedisUrl("http://x")).toThrow(RedisUrlError);
    expect(() => parseRedisUrl("redis-sentinel://a:26379")).toThrow(/master name/);
  });

  it("insists on a hash-tagged queue prefix on Cluster only", () => {
    expect(() => assertPrefixFitsRedis("redis-cluster://n1:7000", "llm-chat")).toThrow(/\{llm-chat\}/);
    expect(() => assertPrefixFitsRedis("redis-cluster://n1:7000", "{llm-chat}")).not.toThrow();
    expect(() => assertPrefixFitsRedis("redis://n1:6379", "llm-chat")).not.toThrow();
  });

  it("builds a Cluster client for redis-cluster URLs without connecting", () => {
    const client = createRedis("redis-cluster://127.0.0.1:1", "producer", { lazyConnect: true });
    expect(client).toBeInstanceOf(Cluster);
    client.disconnect();
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

describe("a Sentinel deployment", () => {
  let sentinel: ChildProcess | undefined;
  afterAll(() => {
    sentinel?.kill("SIGTERM");
  });

  it("is reached through the sentinel, which names the master", async () => {
    const master = parseRedisUrl(testRedisUrl()).hosts[0];
    const port = await freePort();
    const config = join(mkdtempSync(join(tmpdir(), "sentinel-")), "sentinel.conf");
    writeFileSync(
      config,
      `port ${port}\nbind 127.0.0.1\nsentinel monitor testmaster ${master?.host} ${master?.port} 1\n`,
    );
    sentinel = spawn("redis-server", [config, "--sentinel"], { stdio: "ignore" });
    const client = createRedis(`redis-sentinel://127.0.0.1:${port}/testmaster`, "worker");
    // Until the sentinel is up, connection errors are expected; the wait below outlasts them.
    client.on("error", () => undefined);
    try {
      const answer = await eventually(
        "a PONG through the sentinel",
        async () => {
          const pong = await client.ping().catch(() => "");
          return pong === "PONG" ? pong : undefined;
        },
        { intervalMs: 100 },
      );
      expect(answer).toBe("PONG");
      await client.set("sentinel-test-key", "1", "EX", 5);
      expect(await client.get("sentinel-test-key")).toBe("1");
    } finally {
      client.disconnect();
    }
  });
});
