import type { Server } from "node:http";
import { type Metrics, startMetricsServer } from "@llm-chat/runtime";

export interface HealthChecks {
  /** Redis and MongoDB answer, and the worker is not shutting down. */
  ready(): Promise<boolean>;
}

const status = (ok: boolean) => JSON.stringify({ status: ok ? "ok" : "unavailable" });

/**
 * The worker's only HTTP surface: Prometheus metrics (behind METRICS_TOKEN when set) and the
 * probes an orchestrator needs, which stay open: they say nothing but up or not.
 */
export async function startHealthServer(
  metrics: Metrics,
  checks: HealthChecks,
  options: { host: string; port: number; token: string | undefined },
): Promise<{ server: Server; port: number }> {
  return startMetricsServer(metrics, {
    ...options,
    routes: {
      "/healthz": async () => ({ status: 200, type: "application/json", body: status(true) }),
      "/readyz": async () => {
        const ok = await checks.ready().catch(() => false);
        return { status: ok ? 200 : 503, type: "application/json", body: status(ok) };
      },
    },
  });
}
