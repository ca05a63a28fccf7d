import cors from "cors";
import express, { type Express } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import swaggerUi from "swagger-ui-express";
import { createCachedKeys } from "./auth/cached-keys.js";
import { createSessions } from "./auth/sessions.js";
import type { AppDeps } from "./deps.js";
import { authenticate, principal, requireAdmin } from "./http/auth.js";
import { createAuthFailures } from "./http/auth-failures.js";
import { clientKey } from "./http/client-address.js";
import { requireJsonBody } from "./http/content-type.js";
import { requireJsonObject } from "./http/json-object-body.js";
import { methodNotAllowed } from "./http/method-not-allowed.js";
import { refuseNulCharacters } from "./http/nul-free-body.js";
import { observeRequests, requestId } from "./http/observe.js";
import { routeNotFound } from "./http/problem.js";
import { problemHandler } from "./http/problem-handler.js";
import { createLimiter, limitBy } from "./http/rate-limit.js";
import { limitedRoutes } from "./http/route-limits.js";
import { openAiErrorHandler } from "./openai/openai-error.js";
import { openAiRoutes } from "./openai/openai-routes.js";
import { openApiDocument } from "./openapi/document.js";
import { playground } from "./playground/playground-routes.js";
import { adminRoutes } from "./routes/admin-routes.js";
import { apiKeyRoutes } from "./routes/api-key-routes.js";
import { authRoutes } from "./routes/auth-routes.js";
import { conversationRoutes } from "./routes/conversation-routes.js";
import { healthRoutes } from "./routes/health.js";
import { modelRoutes } from "./routes/model-routes.js";
import { queryRoutes } from "./routes/query-routes.js";
import { QUEUE_DASHBOARD_PATH, queueDashboard } from "./routes/queue-dashboard.js";
import { webhookSecretRoutes } from "./routes/webhook-secret-routes.js";

export async function createApp(deps: AppDeps, refreshTtlSeconds: number): Promise<Express> {
  const { config } = deps;
  const app = express();
  app.disable("x-powered-by");
  // The client address (per-IP limits) comes from X-Forwarded-For only through trusted proxies.
  app.set("trust proxy", config.trustProxyHops);
  app.use(helmet());
  // No origin is allowed unless configured: browsers on other sites cannot call the API.
  app.use(
    cors({
      origin: config.corsOrigins,
      exposedHeaders: [
        "Location",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "X-Conversation-Id",
        "X-Query-Id",
      ],
    }),
  );
  app.use(healthRoutes(deps));
  const document = openApiDocument();
  app.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  // Swagger UI's page runs an inline start-up script: its own CSP, for this path only.
  app.use(
    "/docs",
    helmet({ contentSecurityPolicy: { directives: { "script-src": ["'self'", "'unsafe-inline'"] } } }),
    swaggerUi.serve,
    swaggerUi.setup(document, { customSiteTitle: "llm-chat API" }),
  );
  app.use("/playground", playground());
  // No /metrics here: the metrics have a port of their own (API_METRICS_PORT, index.ts), so no
  // spelling of a path on this public port can reach them.
  app.use(observeRequests(deps.metrics));
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: requestId,
      // Health probes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" },
    }),
  );
  // Before authentication and body parsing: which methods a path takes is public (the
  // OpenAPI document lists them), so a wrong method is 405 for anyone, whatever the body.
  app.use(methodNotAllowed(app));
  app.use(requireJsonBody);
  app.use(express.json({ limit: config.bodyLimit, strict: true, type: "application/json" }));
  app.use(requireJsonObject);
  app.use(refuseNulCharacters);

  const limiter = (name: string, perMinute: number) =>
    createLimiter(deps.redis, { name, keyPrefix: config.queuePrefix, perMinute });
  const limitAuth = limitBy(limiter("auth", config.rateLimits.authPerMinute), (req) => clientKey(req.ip));
  const authFailures = createAuthFailures(deps.redis, { keyPrefix: config.queuePrefix, ...config.authFailures });
  const limitSubmit = limitBy(limiter("submit", config.rateLimits.submitPerMinute), (req) => principal(req).userId);
  const limitRead = limitBy(limiter("read", config.rateLimits.readPerMinute), (req) => principal(req).userId);

  const sessions = createSessions(deps.store.sessions, deps.tokens, deps.redis, config.queuePrefix, refreshTtlSeconds);
  app.use(await authRoutes(deps, sessions, limitAuth, authFailures));

  const keys = createCachedKeys(deps.redis, deps.store.users, { keyPrefix: config.queuePrefix, ttlSeconds: 600 });
  const requireAuth = authFailures.guard(
    authenticate({ keys, tokens: deps.tokens, isSessionRevoked: sessions.isRevoked }),
  );
  // The dashboard's page needs its own inline assets: a CSP that allows them, for this path only.
  app.use(
    QUEUE_DASHBOARD_PATH,
    requireAuth,
    requireAdmin(deps.store.users),
    helmet({ contentSecurityPolicy: { directives: { "script-src": ["'self'", "'unsafe-inline'"] } } }),
    queueDashboard(deps),
  );
  app.use("/v1", requireAuth);
  // Each limiter hangs on its route, so Express's own matching (any letter case, a trailing
  // slash) picks the bucket: a spelling that reaches the submit handler is charged as a submit.
  app.use(limitedRoutes({ submit: limitSubmit, read: limitRead }));
  app.use(modelRoutes(deps));
  app.use(conversationRoutes(deps));
  app.use(queryRoutes(deps));
  app.use(webhookSecretRoutes(deps));
  app.use(apiKeyRoutes(deps, keys, authFailures));
  app.use(adminRoutes(deps));
  app.use(openAiRoutes(deps));
  app.use(routeNotFound);
  app.use(openAiErrorHandler(deps.logger));
  app.use(problemHandler(deps.logger));
  return app;
}
