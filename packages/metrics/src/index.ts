export { createMetrics, type Metrics, type QueueCounts } from "./metrics.js";
export { type FinishedQuery, observeQuery } from "./observe-query.js";
