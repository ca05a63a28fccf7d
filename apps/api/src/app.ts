import express, { type Express } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { AppDeps } from "./deps.js";
import { authenticate } from "./http/auth.js";
import { requireJsonBody } from "./http/content-type.js";
import { problemHandler, routeNotFound } from "./http/problem.js";
import { authRoutes } from "./routes/auth-routes.js";
import { conversationRoutes } from "./routes/conversation-routes.js";
import { healthRoutes } from "./routes/health.js";
import { modelRoutes } from "./routes/model-routes.js";
import { queryRoutes } from "./routes/query-routes.js";
import { webhookSecretRoutes } from "./routes/webhook-secret-routes.js";

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(helmet());
  app.use(healthRoutes(deps));
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Health probes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" },
    }),
  );
  app.use(requireJsonBody);
  app.use(express.json({ limit: deps.config.bodyLimit, strict: true, type: "application/json" }));
  app.use(authRoutes(deps));
  app.use("/v1", authenticate(deps.store.users));
  app.use(modelRoutes(deps));
  app.use(conversationRoutes(deps));
  app.use(queryRoutes(deps));
  app.use(webhookSecretRoutes(deps));
  app.use(routeNotFound);
  app.use(problemHandler(deps.logger));
  return app;
}
