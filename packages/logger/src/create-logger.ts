import { AsyncLocalStorage } from "node:async_hooks";
import { type Logger, type LoggerOptions, pino } from "pino";

/**
 * Fields that belong on every line logged while a job runs (query id, job id), however deep
 * the code that logs: the worker runs each job inside `logContext.run(...)`.
 */
export const logContext = new AsyncLocalStorage<Record<string, string>>();

export type { Logger } from "pino";

export interface LoggerConfig {
  name: string;
  level: string;
  pretty: boolean;
}

/**
 * Paths that may carry credentials. Redacted rather than removed so a log reader
 * can still see that the header or field was present.
 */
export const redactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "password",
  "*.password",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "secret",
  "*.secret",
];

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level,
    redact: { paths: redactPaths, censor: "[redacted]" },
    base: { service: config.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => logContext.getStore() ?? {},
  };
  if (config.pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return pino(options);
}
