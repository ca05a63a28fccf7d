export {
  contentPaths,
  createLogger,
  type Logger,
  type LoggerConfig,
  logContext,
  redactionFor,
  redactPaths,
} from "./create-logger.js";
