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
  /** LOG_CONTENT: write prompts, outputs and messages as they are. Off: they are redacted too. */
  logContent?: boolean;
}

/** A field name at the top of a log line and one level down (`query.prompt`, `err.output`). */
const anywhere = (names: readonly string[]) => names.flatMap((name) => [name, `*.${name}`]);

/**
 * Paths that may carry credentials, always redacted. Redacted rather than removed so a log
 * reader can still see that the header or field was present.
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
  // Fields of user and API key documents: a password hash invites offline guessing, a webhook
  // secret signs deliveries, a key hash identifies the key.
  ...anywhere(["webhookSecret", "passwordHash", "hash"]),
];

/**
 * Fields that carry what users and models said. Logs travel further than the database
 * (aggregators, support staff, tickets), so they hold no content unless an operator turns
 * LOG_CONTENT on, e.g. to debug prompt building on a test system.
 */
export const contentPaths = anywhere(["prompt", "output", "content", "messages", "system", "delta", "summary"]);

/** Every path redacted for a logger with this LOG_CONTENT setting. */
export function redactionFor(logContent: boolean): string[] {
  return logContent ? [...redactPaths] : [...redactPaths, ...contentPaths];
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level,
    redact: { paths: redactionFor(config.logContent ?? false), censor: "[redacted]" },
    base: { service: config.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => logContext.getStore() ?? {},
  };
  if (config.pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return pino(options);
}
