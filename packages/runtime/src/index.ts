export { type Env, envSchema } from "./config/env-schema.js";
export { EnvError, loadEnv, loadEnvOrExit } from "./config/load-env.js";
export {
  createRuntime,
  createRuntimeOrExit,
  type Role,
  type Runtime,
  StartupError,
} from "./create-runtime.js";
export {
  contentPaths,
  createLogger,
  type Logger,
  type LoggerConfig,
  logContext,
  redactionFor,
  redactPaths,
} from "./logger/create-logger.js";
export { bearerMatches } from "./metrics/bearer-token.js";
export { createMetrics, type Metrics, type QueueCounts } from "./metrics/metrics.js";
export {
  type ExtraRoute,
  type MetricsServerOptions,
  type Reply,
  routeKey,
  startMetricsServer,
} from "./metrics/metrics-server.js";
export { type FinishedQuery, observeQuery } from "./metrics/observe-query.js";
export { createShutdown, type Shutdown } from "./shutdown/shutdown.js";
