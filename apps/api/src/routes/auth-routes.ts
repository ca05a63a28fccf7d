import { type RegisterResponse, registerBodySchema } from "@llm-chat/contracts";
import { EmailTakenError } from "@llm-chat/store";
import { hash } from "@node-rs/argon2";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody } from "../http/validate.js";

export function authRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post("/v1/auth/register", async (req, res) => {
    const body = parseBody(req, registerBodySchema);
    // argon2id with the library's defaults (19 MiB, t=2, p=1): OWASP's recommended minimum.
    const passwordHash = await hash(body.password);
    try {
      const { user, key } = await deps.store.users.register(body.email, passwordHash);
      const response: RegisterResponse = {
        user: { id: user._id, email: user.email, createdAt: user.createdAt.toISOString() },
        apiKey: { id: key.doc._id, prefix: key.doc.prefix, secret: key.secret },
      };
      res.status(201).set("Cache-Control", "no-store").json(response);
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new HttpProblem(409, "Email already registered", "an account with this email exists", [
          { in: "body", pointer: "/email", message: "already registered" },
        ]);
      }
      throw error;
    }
  });
  return router;
}
