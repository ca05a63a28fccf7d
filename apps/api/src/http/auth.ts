import type { UsersRepo } from "@llm-chat/store";
import type { Request, RequestHandler } from "express";
import { HttpProblem } from "./problem.js";

export interface Principal {
  userId: string;
  keyId: string;
}

const principals = new WeakMap<Request, Principal>();

/** The authenticated caller of a request that passed `authenticate`. */
export function principal(req: Request): Principal {
  const found = principals.get(req);
  if (!found) throw new Error("principal() called on a route without authenticate");
  return found;
}

const unauthorized = (detail: string) =>
  new HttpProblem(401, "Unauthorized", detail, undefined, { "WWW-Authenticate": 'Bearer realm="llm-chat"' });

// lastUsedAt is informational; writing it on every request would double the load on MongoDB.
const TOUCH_EVERY_MS = 60_000;

export function authenticate(users: UsersRepo): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw unauthorized("send Authorization: Bearer <api key>");
    const key = await users.findKeyBySecret(match[1]);
    if (!key) throw unauthorized("the API key is invalid or revoked");
    principals.set(req, { userId: key.userId, keyId: key._id });
    const now = new Date();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      void users.touchKey(key._id, now).catch(() => undefined);
    }
    next();
  };
}
