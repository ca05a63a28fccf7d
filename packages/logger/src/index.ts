export { createLogger, type Logger, type LoggerConfig, logContext, redactPaths } from "./create-logger.js";
