export {
  assertPrefixFitsRedis,
  createRedis,
  parseRedisUrl,
  type RedisClient,
  type RedisRole,
  RedisUrlError,
} from "./connection.js";
export { type ConversationOrder, createConversationOrder, type IsOpen } from "./conversation-order.js";
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
export { createQueryLedger, type LedgerPlace, type QueryLedger, type QueryLedgerConfig } from "./query-ledger.js";
export { QueueName } from "./queue-names.js";
