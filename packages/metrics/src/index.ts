export { bearerMatches } from "./bearer-token.js";
export { createMetrics, type Metrics, type QueueCounts } from "./metrics.js";
export {
  type ExtraRoute,
  type MetricsServerOptions,
  type Reply,
  routeKey,
  startMetricsServer,
} from "./metrics-server.js";
export { type FinishedQuery, observeQuery } from "./observe-query.js";
