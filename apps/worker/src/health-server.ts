import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "@llm-chat/metrics";

export interface HealthChecks {
  /** Redis and MongoDB answer, and the worker is not shutting down. */
  ready(): Promise<boolean>;
}

/**
 * The worker's only HTTP surface: Prometheus metrics and the probes an orchestrator needs.
 * Nothing here takes input, so a plain node:http server is enough.
 */
export async function startHealthServer(
  metrics: Metrics,
  checks: HealthChecks,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
    };
    if (req.method !== "GET") return reply(405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return reply(200, "application/json", '{"status":"ok"}');
    if (path === "/readyz") {
      void checks.ready().then(
        (ok) => reply(ok ? 200 : 503, "application/json", JSON.stringify({ status: ok ? "ok" : "unavailable" })),
        () => reply(503, "application/json", '{"status":"unavailable"}'),
      );
      return;
    }
    if (path === "/metrics") {
      void metrics.registry.metrics().then(
        (text) => reply(200, metrics.registry.contentType, text),
        () => reply(500, "text/plain", "metrics unavailable\n"),
      );
      return;
    }
    reply(404, "text/plain", "not found\n");
  });
  server.listen(port, host);
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}
