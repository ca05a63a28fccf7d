import { loginBodySchema, type RegisterResponse, refreshBodySchema, registerBodySchema } from "@llm-chat/contracts";
import { hash, verify } from "@node-rs/argon2";
import { type RequestHandler, Router } from "express";
import type { Sessions } from "../auth/sessions.js";
import type { AppDeps } from "../deps.js";
import type { AuthFailures } from "../http/auth-failures.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody } from "../http/validate.js";
import { registerUser } from "../use-cases/register-user.js";

const badCredentials = () => new HttpProblem(401, "Unauthorized", "invalid email or password");
const badRefresh = () => new HttpProblem(401, "Unauthorized", "the refresh token is invalid, expired or already used");

export async function authRoutes(
  deps: AppDeps,
  sessions: Sessions,
  limitAuth: RequestHandler,
  failures: AuthFailures,
): Promise<Router> {
  // An unknown email is checked against this hash, so it costs the same time as a wrong password.
  const decoy = await hash("not a password anyone has; only here to spend the same time");
  const router = Router();

  router.post("/v1/auth/register", limitAuth, async (req, res) => {
    const body = parseBody(req, registerBodySchema);
    const { user, key } = await registerUser(deps, body.email, body.password);
    const response: RegisterResponse = {
      user: { id: user._id, email: user.email, createdAt: user.createdAt.toISOString() },
      apiKey: { id: key.doc._id, prefix: key.doc.prefix, secret: key.secret },
    };
    res.status(201).set("Cache-Control", "no-store").json(response);
  });

  router.post(
    "/v1/auth/login",
    limitAuth,
    failures.guard(async (req, res) => {
      const body = parseBody(req, loginBodySchema);
      const pair = await failures.login(body.email, async () => {
        const user = await deps.store.users.findByEmail(body.email);
        const ok = await verify(user?.passwordHash ?? decoy, body.password).catch(() => false);
        if (!user || !ok) throw badCredentials();
        return sessions.start(user._id);
      });
      res.set("Cache-Control", "no-store").json(pair);
    }),
  );

  router.post(
    "/v1/auth/refresh",
    limitAuth,
    failures.guard(async (req, res) => {
      const body = parseBody(req, refreshBodySchema);
      const pair = await sessions.refresh(body.refreshToken);
      if (!pair) throw badRefresh();
      res.set("Cache-Control", "no-store").json(pair);
    }),
  );

  router.post("/v1/auth/logout", async (req, res) => {
    const body = parseBody(req, refreshBodySchema);
    await sessions.logout(body.refreshToken);
    res.status(204).end();
  });

  return router;
}
