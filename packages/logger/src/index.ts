export { createLogger, type Logger, type LoggerConfig, redactPaths } from "./create-logger.js";
