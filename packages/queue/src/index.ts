export {
  assertPrefixFitsRedis,
  createRedis,
  parseRedisUrl,
  type RedisClient,
  type RedisRole,
  RedisUrlError,
} from "./connection.js";
export {
  type CatalogSettings,
  type JobName,
  type JobPayload,
  jobCatalog,
  type QueryJob,
  queryBackoff,
  type SummaryJob,
  WEBHOOK_ATTEMPTS,
  type WebhookJob,
  webhookBackoff,
} from "./job-catalog.js";
export { createProducer, type Producer, readQueueCounts } from "./producer.js";
export { QueueName } from "./queue-names.js";
export { defineDeleteIfEquals, defineScript, type RedisScript } from "./redis-script.js";
