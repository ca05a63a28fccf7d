import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createRuntimeOrExit, loadEnvOrExit, startMetricsServer } from "@llm-chat/runtime";
import { createApiDeps } from "./api-deps.js";
import { createApp } from "./app.js";

const env = loadEnvOrExit(process.env, "api");
if (!env.JWT_SECRET) {
  process.stderr.write("api: Invalid environment: JWT_SECRET (missing): required to sign access tokens\n");
  process.exit(1);
}
const runtime = await createRuntimeOrExit(env, "api");
const { logger, shutdown, store, metrics } = runtime;
shutdown.handleSignals(15_000);

// Bootstrap: admins named in the environment, among accounts that exist now. Registering a
// listed address later grants nothing (the API itself never grants the role).
const unknownAdmins = (
  await Promise.all(env.ADMIN_EMAILS.map(async (email) => ((await store.users.setAdmin(email, true)) ? null : email)))
).filter((email) => email !== null);
if (unknownAdmins.length > 0) {
  logger.warn(
    { count: unknownAdmins.length },
    "ADMIN_EMAILS names addresses with no account: none was made admin; register them, then use `pnpm admin grant`",
  );
}

const app = await createApp(await createApiDeps(runtime, env.JWT_SECRET), env.REFRESH_TOKEN_TTL_SECONDS);
const server = app.listen(env.API_PORT, env.API_HOST);
await once(server, "listening");
// Slow clients must not hold sockets forever.
server.requestTimeout = 30_000;
server.headersTimeout = 10_000;
const { port } = server.address() as AddressInfo;
const metricsServer = await startMetricsServer(metrics, {
  host: env.API_METRICS_HOST,
  port: env.API_METRICS_PORT,
  token: env.METRICS_TOKEN,
});
logger.info({ host: env.API_HOST, port, metricsPort: metricsServer.port }, "api listening");

shutdown.register("http server", () => {
  server.closeIdleConnections();
  // Event streams never end by themselves: give them a moment, then cut them (clients
  // resume on another process with Last-Event-ID).
  setTimeout(() => server.closeAllConnections(), 5000).unref();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
shutdown.register("queues, redis and mongodb", () => runtime.close());
// Last: scrapes keep answering while the API drains.
shutdown.register("metrics server", () => new Promise<void>((resolve) => metricsServer.server.close(() => resolve())));
