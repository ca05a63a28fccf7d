export { createRedis, type RedisRole } from "./connection.js";
export {
  type CatalogSettings,
  type JobName,
  type JobPayload,
  jobCatalog,
  type QueryJob,
  type SummaryJob,
} from "./job-catalog.js";
export { createProducer, type Producer } from "./producer.js";
export { QueueName } from "./queue-names.js";
