import { isolate, testRedisUrl } from "@llm-chat/testkit";
import { describe, expect, it } from "vitest";
import { createRuntime, loadEnv, StartupError } from "../src/index.js";

const base = { LOG_LEVEL: "silent", LLAMA2_MODEL_PATH: "a/b", MISTRAL_MODEL_PATH: "c/d" };

describe("createRuntime", () => {
  it("refuses an untagged queue prefix on Redis Cluster before it connects to anything", async () => {
    const env = loadEnv({
      ...base,
      REDIS_URL: "redis-cluster://127.0.0.1:7101,127.0.0.1:7102",
      QUEUE_PREFIX: "llm-chat",
    });
    await expect(createRuntime(env, "worker")).rejects.toThrow(StartupError);
    await expect(createRuntime(env, "worker")).rejects.toThrow(/QUEUE_PREFIX must be hash-tagged/);
  });

  it("refuses a models file that does not exist, naming it", async () => {
    const env = loadEnv({ ...base, MODELS_FILE: "/nonexistent/models.json" });
    await expect(createRuntime(env, "api")).rejects.toThrow(StartupError);
    await expect(createRuntime(env, "api")).rejects.toThrow(/models\.json/);
  });

  it("builds one lifecycle on real services and closes every connection it opened", async () => {
    const isolation = isolate();
    const env = loadEnv({
      ...base,
      REDIS_URL: testRedisUrl(),
      MONGO_URL: isolation.mongoUrl,
      QUEUE_PREFIX: isolation.queuePrefix,
    });
    const runtime = await createRuntime(env, "worker");
    try {
      const extra = runtime.connect("worker");
      expect(await runtime.redis.ping()).toBe("PONG");
      expect(await extra.ping()).toBe("PONG");
      expect(runtime.models.get("llama2")).toBeDefined();
      expect(runtime.shutdown.started).toBe(false);
      await runtime.close();
      expect(runtime.redis.status).toBe("end");
      expect(extra.status).toBe("end");
    } finally {
      await isolation.cleanup();
    }
  });

  it("closes without waiting for a Redis that cannot be reached", async () => {
    const isolation = isolate();
    // Nothing listens on port 1 of this machine: every connection keeps retrying.
    const env = loadEnv({ ...base, REDIS_URL: "redis://127.0.0.1:1", MONGO_URL: isolation.mongoUrl });
    const runtime = await createRuntime(env, "worker");
    try {
      const extra = runtime.connect("producer");
      await runtime.close();
      expect(runtime.redis.status).toBe("end");
      expect(extra.status).toBe("end");
    } finally {
      await isolation.cleanup();
    }
  });
});
