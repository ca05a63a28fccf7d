import { type ApiKey, apiKeyIdSchema, createApiKeyBodySchema } from "@llm-chat/contracts";
import type { ApiKeyDoc } from "@llm-chat/store";
import { verify } from "@node-rs/argon2";
import { Router } from "express";
import type { CachedKeys } from "../auth/cached-keys.js";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import type { AuthFailures } from "../http/auth-failures.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody, parseId } from "../http/validate.js";
import { notFound } from "../use-cases/domain-error.js";

const present = (doc: ApiKeyDoc): ApiKey => ({
  id: doc._id,
  name: doc.name,
  prefix: doc.prefix,
  createdAt: doc.createdAt.toISOString(),
  lastUsedAt: doc.lastUsedAt?.toISOString() ?? null,
});

export function apiKeyRoutes(deps: AppDeps, keys: CachedKeys, failures: AuthFailures): Router {
  const router = Router();
  const { users } = deps.store;

  async function confirmPassword(userId: string, password: string | undefined): Promise<void> {
    if (password === undefined) {
      throw new HttpProblem(422, "Validation failed", "invalid body: password", [
        { in: "body", pointer: "/password", message: "required to create an API key with an access token" },
      ]);
    }
    const user = await users.findById(userId);
    if (!user) throw notFound("user");
    await failures.login(user.email, async () => {
      if (!(await verify(user.passwordHash, password).catch(() => false))) {
        throw new HttpProblem(401, "Unauthorized", "the password is wrong");
      }
    });
  }

  router.post("/v1/api-keys", async (req, res) => {
    const { userId, keyId } = principal(req);
    const body = parseBody(req, createApiKeyBodySchema);
    // A key outlives any login: minting one from a login's access token takes the password again.
    if (keyId === null) await confirmPassword(userId, body.password);
    const key = await users.createApiKey(userId, body.name);
    // The secret is in this response only; MongoDB keeps its hash.
    res
      .status(201)
      .set("Cache-Control", "no-store")
      .json({ ...present(key.doc), secret: key.secret });
  });

  router.get("/v1/api-keys", async (req, res) => {
    const { userId } = principal(req);
    res.json({ data: (await users.listApiKeys(userId)).map(present) });
  });

  router.delete("/v1/api-keys/:id", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", apiKeyIdSchema, "API key");
    if (!(await keys.revoke(id, userId))) throw notFound("API key");
    res.status(204).end();
  });

  return router;
}
