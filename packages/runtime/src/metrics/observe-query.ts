import type { QueryErrorCode, QueryMetrics, QueryStatus } from "@llm-chat/contracts";
import type { Metrics } from "./metrics.js";

export interface FinishedQuery {
  model: string;
  status: QueryStatus;
  error: { code: QueryErrorCode } | null;
  metrics: QueryMetrics;
}

/** Records a query that reached its final status. */
export function observeQuery(metrics: Metrics, query: FinishedQuery): void {
  const model = query.model;
  metrics.queries.inc({ model, outcome: query.status, code: query.error?.code ?? "none" });
  const m = query.metrics;
  if (m.queueMs !== null) metrics.queueWait.observe({ model }, m.queueMs / 1000);
  if (m.modelMs !== null) metrics.modelTime.observe({ model }, m.modelMs / 1000);
  if (m.totalMs !== null) metrics.totalTime.observe({ model }, m.totalMs / 1000);
  if (m.inputTokens !== null) metrics.tokens.inc({ model, direction: "in" }, m.inputTokens);
  if (m.outputTokens !== null) metrics.tokens.inc({ model, direction: "out" }, m.outputTokens);
}
