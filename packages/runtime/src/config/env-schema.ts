import { z } from "zod";
import { isPlaceholderSecret } from "./placeholder-secrets.js";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Write prompts, outputs and messages into logs as they are; off, they are redacted. */
  LOG_CONTENT: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),

  API_HOST: z.string().min(1).default("127.0.0.1"),
  API_PORT: port.default(3000),
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, "expected a size like 64kb")
    .default("64kb"),
  API_PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  /** Comma-separated origins allowed to call the API from browsers; empty: no CORS. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== ""),
    )
    .pipe(z.array(z.url())),
  /** Hops of reverse proxies to trust for the client address (X-Forwarded-For); 0 = none. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** The API's GET /metrics, on a port of its own (never the public one); 0 picks a free port (logged). */
  API_METRICS_PORT: port.default(9465),
  API_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /** When set, /metrics on the API's and the workers' metrics ports wants `Authorization: Bearer <it>`. */
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, "at least 16 characters").optional()),
  JWT_SECRET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(32, "at least 32 characters")
      .refine((v) => !isPlaceholderSecret(v), "is an example value from this repository; generate a random one")
      .optional(),
  ),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 86_400),
  /** Comma-separated emails made admins at start (bootstrap); the admin CLI does the same. */
  ADMIN_EMAILS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== ""),
    ),
  /** bull-board at /admin/queues is read-only unless an operator turns writes on. */
  QUEUE_DASHBOARD_WRITES: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  RATE_LIMIT_SUBMIT_PER_MINUTE: positiveInt.default(60),
  RATE_LIMIT_READ_PER_MINUTE: positiveInt.default(1200),
  RATE_LIMIT_AUTH_PER_MINUTE: positiveInt.default(10),
  AUTH_FAILURES_PER_IP: positiveInt.default(30),
  AUTH_FAILURES_PER_EMAIL: positiveInt.default(10),
  AUTH_FAILURE_WINDOW_SECONDS: positiveInt.default(900),
  MAX_OPEN_QUERIES_PER_USER: positiveInt.default(100),
  SSE_MAX_STREAMS_PER_USER: positiveInt.default(20),
  SSE_MAX_STREAMS_PER_PROCESS: positiveInt.default(2000),
  SSE_MAX_LIFETIME_SECONDS: positiveInt.default(1800),

  /** redis://, rediss://, redis-sentinel://h1,h2/<master> or redis-cluster://h1,h2 (see docs/configuration.md). */
  REDIS_URL: z
    .string()
    .regex(
      /^(redis|rediss|redis-sentinel|redis-cluster):\/\/[^\s]+$/,
      "expected a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL",
    )
    .default("redis://127.0.0.1:6379"),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// or mongodb+srv:// URL")
    .default("mongodb://127.0.0.1:27017/llm-chat"),
  MONGO_SLOW_COMMAND_MS: positiveInt.default(250),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:{}-]+$/, "letters, digits, _ - : { } only")
    .default("llm-chat"),

  REPLICATE_API_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  REPLICATE_BASE_URL: z.url().default("https://api.replicate.com/v1"),
  REPLICATE_POLL_INTERVAL_MS: positiveInt.default(250),
  LLAMA2_MODEL_PATH: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(:[0-9a-f]+)?$/, "expected owner/name or owner/name:version")
    .default("meta/llama-2-7b-chat"),
  /** A JSON or YAML file of more models (local OpenAI-compatible servers, other Replicate models). */
  MODELS_FILE: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  REPLICATE_RATE_LIMIT_POINTS: positiveInt.default(600),
  REPLICATE_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  CIRCUIT_BREAKER_ERROR_PERCENT: positiveInt.max(100).default(50),
  CIRCUIT_BREAKER_VOLUME: positiveInt.default(10),
  CIRCUIT_BREAKER_RESET_MS: positiveInt.default(10_000),
  MISTRAL_MODEL_PATH: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(:[0-9a-f]+)?$/, "expected owner/name or owner/name:version")
    .default("mistralai/mistral-7b-instruct-v0.2"),

  WORKER_CONCURRENCY: positiveInt.max(1000).default(50),
  /** The worker's /metrics, /healthz and /readyz; 0 picks a free port (logged). */
  WORKER_METRICS_PORT: port.default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  WORKER_SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
  WORKER_LOCK_DURATION_MS: positiveInt.min(1000).default(30_000),
  QUERY_ATTEMPTS: positiveInt.max(20).default(5),
  QUERY_BACKOFF_MS: positiveInt.default(1000),
  QUERY_TIMEOUT_MS: positiveInt.default(300_000),
  HISTORY_MAX_TURNS: positiveInt.max(1000).default(100),
  HISTORY_TTL_SECONDS: positiveInt.default(86_400),
  QUERY_ORDER_RECHECK_MS: positiveInt.default(2000),
  SWEEPER_INTERVAL_MS: positiveInt.default(30_000),
  SWEEPER_GRACE_MS: positiveInt.default(30_000),
  SUMMARY_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  SUMMARY_CONCURRENCY: positiveInt.max(100).default(2),
  SUMMARY_MAX_TOKENS: positiveInt.max(2048).default(256),
  EVENTS_TTL_SECONDS: positiveInt.default(86_400),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(15_000).default(10_000),
  WEBHOOK_CONCURRENCY: positiveInt.max(1000).default(50),
  WEBHOOK_RETRY_BASE_MS: positiveInt.default(5000),
  WEBHOOK_MAX_PENDING_PER_USER: positiveInt.default(1000),
  WEBHOOK_MAX_PENDING_PER_URL: positiveInt.default(1000),
});

export type Env = z.infer<typeof envSchema>;
