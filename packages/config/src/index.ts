export { type Env, envSchema } from "./env-schema.js";
export { EnvError, loadEnv, loadEnvOrExit } from "./load-env.js";
