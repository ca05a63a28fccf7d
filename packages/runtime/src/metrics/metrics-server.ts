import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { bearerMatches } from "./bearer-token.js";
import type { Metrics } from "./metrics.js";

export interface Reply {
  status: number;
  type: string;
  body: string;
}

/** Another GET route on the metrics port (the worker's probes); never behind the token. */
export type ExtraRoute = () => Promise<Reply>;

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port; the one taken is returned. */
  port: number;
  /** METRICS_TOKEN: when set, GET /metrics wants `Authorization: Bearer <token>`. */
  token?: string | undefined;
  routes?: Record<string, ExtraRoute>;
}

/**
 * Express's matching for a path: any letter case and one trailing slash, so `/METRICS/` is the
 * same route as `/metrics` here as on the API, and a proxy rule written for one covers both.
 */
export function routeKey(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith("/") ? lower.slice(0, -1) : lower;
}

/**
 * Prometheus metrics on a port of their own, apart from any public API: the default bind is
 * loopback, and a deployment opens it to its scraper only (0.0.0.0 in a container, never
 * through the public proxy). Nothing here takes input, so a plain node:http server is enough.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: MetricsServerOptions,
): Promise<{ server: Server; port: number }> {
  const routes = new Map(Object.entries(options.routes ?? {}).map(([path, route]) => [routeKey(path), route]));
  const server = createServer((req, res) => {
    const reply = ({ status, type, body }: Reply, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(body);
    };
    const text = (status: number, body: string) => ({ status, type: "text/plain", body });
    if (req.method !== "GET") return reply(text(405, "method not allowed\n"), { allow: "GET" });
    const key = routeKey(req.url);
    const route = routes.get(key);
    if (route !== undefined) {
      void route().then(reply, () => reply(text(500, "unavailable\n")));
      return;
    }
    if (key !== "/metrics") return reply(text(404, "not found\n"));
    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      return reply(text(401, "unauthorized\n"), { "www-authenticate": 'Bearer realm="metrics"' });
    }
    void metrics.registry.metrics().then(
      (body) => reply({ status: 200, type: metrics.registry.contentType, body }),
      () => reply(text(500, "metrics unavailable\n")),
    );
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}
