import type { UsersRepo } from "@llm-chat/store";
import type { Request, RequestHandler } from "express";
import { type AccessTokens, looksLikeJwt } from "../auth/access-tokens.js";
import type { CachedKeys } from "../auth/cached-keys.js";
import { HttpProblem } from "./problem.js";

export interface Principal {
  userId: string;
  /** The API key used, or null for an access token. */
  keyId: string | null;
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

export interface AuthDeps {
  keys: CachedKeys;
  tokens: AccessTokens;
  /** Whether a login session was revoked (logout, reused refresh token). */
  isSessionRevoked(sessionId: string): Promise<boolean>;
}

/**
 * `Authorization: Bearer <access token | API key>`. Keys are looked up through their Redis
 * cache (see cached-keys.ts), where a revocation lands at once for every API process;
 * access tokens are verified locally and checked against revoked sessions.
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const match = req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i);
    const token = match?.[1];
    if (!token) throw unauthorized("send Authorization: Bearer <access token or API key>");

    if (looksLikeJwt(token)) {
      const claims = await deps.tokens.verify(token);
      if (!claims) throw unauthorized("the access token is invalid or expired");
      if (await deps.isSessionRevoked(claims.sessionId)) throw unauthorized("the access token is no longer valid");
      principals.set(req, { userId: claims.userId, keyId: null });
      return next();
    }

    const key = await deps.keys.find(token);
    if (!key) throw unauthorized("the API key is invalid or revoked");
    principals.set(req, { userId: key.userId, keyId: key._id });
    const now = new Date();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      void deps.keys.touch(key._id, now).catch(() => undefined);
    }
    next();
  };
}

/** Operator routes: a 403 for authenticated non-admins (they may know the route exists). */
export function requireAdmin(users: UsersRepo): RequestHandler {
  return async (req, _res, next) => {
    const user = await users.findById(principal(req).userId);
    if (user?.isAdmin !== true) throw new HttpProblem(403, "Forbidden", "this route is for operators");
    next();
  };
}
