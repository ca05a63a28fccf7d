import { createRuntime, loadEnv } from "@llm-chat/runtime";
import { isolate, testRedisUrl } from "@llm-chat/testkit";
import { createApiDeps } from "../src/api-deps.js";
import { createApp } from "../src/app.js";

const jwtSecret = "a-test-secret-of-at-least-32-characters!";

/**
 * The real app on real Redis and MongoDB (an isolated database and prefix), not listening:
 * built by the same runtime and wiring as the entry point, from an environment of its own
 * (defaults elsewhere).
 */
export async function buildTestApp() {
  const isolation = isolate();
  const env = loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    REDIS_URL: testRedisUrl(),
    MONGO_URL: isolation.mongoUrl,
    QUEUE_PREFIX: isolation.queuePrefix,
    JWT_SECRET: jwtSecret,
    LLAMA2_MODEL_PATH: "a/b",
    MISTRAL_MODEL_PATH: "c/d",
  });
  const runtime = await createRuntime(env, "api");
  const app = await createApp(await createApiDeps(runtime, jwtSecret), env.REFRESH_TOKEN_TTL_SECONDS);
  return {
    app,
    async close() {
      await runtime.close();
      await isolation.cleanup();
    },
  };
}
