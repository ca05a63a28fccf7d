import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../src/index.js";

describe("loadEnv", () => {
  it("fills in documented defaults when nothing is set", () => {
    const env = loadEnv({});
    expect(env.API_PORT).toBe(3000);
    expect(env.WORKER_CONCURRENCY).toBe(50);
    expect(env.REPLICATE_BASE_URL).toBe("https://api.replicate.com/v1");
    expect(env.LLAMA2_MODEL_PATH).toBe("meta/llama-2-7b-chat");
    expect(env.REPLICATE_API_TOKEN).toBeUndefined();
  });

  it("coerces numbers from strings and treats an empty token as unset", () => {
    const env = loadEnv({ WORKER_CONCURRENCY: "200", REPLICATE_API_TOKEN: "" });
    expect(env.WORKER_CONCURRENCY).toBe(200);
    expect(env.REPLICATE_API_TOKEN).toBeUndefined();
  });

  it("names every bad variable without echoing its value", () => {
    let caught: unknown;
    try {
      loadEnv({ WORKER_CONCURRENCY: "lots", REDIS_URL: "secret-password@nowhere", LOG_LEVEL: "loud" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const message = (caught as EnvError).message;
    expect(message).toContain("WORKER_CONCURRENCY (set)");
    expect(message).toContain("REDIS_URL (set)");
    expect(message).toContain("LOG_LEVEL (set)");
    expect(message).not.toContain("secret-password");
    expect(message.split("\n")).toHaveLength(1);
  });

  it("refuses model paths that are not owner/name", () => {
    expect(() => loadEnv({ MISTRAL_MODEL_PATH: "just-a-name" })).toThrow(/MISTRAL_MODEL_PATH/);
    expect(loadEnv({ MISTRAL_MODEL_PATH: "acme/model:abc123" }).MISTRAL_MODEL_PATH).toBe("acme/model:abc123");
  });
});
