import { createHash, randomBytes } from "node:crypto";
import type { RefreshTokenDoc } from "./documents.js";
import { newId } from "./ids.js";
import type { Collections } from "./mongo.js";

const PREFIX = "llmr_";
const hash = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export type Rotation =
  | { ok: true; userId: string; familyId: string; secret: string }
  | { ok: false; reason: "unknown" | "expired" | "revoked" | "reused" };

/**
 * Refresh tokens: opaque, stored as hashes, each good for one exchange. A login starts a
 * family; every refresh replaces the token with the next of the family. A token presented
 * a second time means someone kept a copy, so the whole family is revoked (RFC 9700 §4.14).
 */
export function createSessionsRepo(c: Collections) {
  async function issue(userId: string, familyId: string, ttlSeconds: number): Promise<string> {
    const secret = PREFIX + randomBytes(32).toString("base64url");
    const now = new Date();
    await c.refreshTokens.insertOne({
      _id: hash(secret),
      userId,
      familyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return secret;
  }

  async function revokeFamily(familyId: string): Promise<void> {
    await c.refreshTokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  }

  return {
    async start(userId: string, ttlSeconds: number): Promise<{ familyId: string; secret: string }> {
      const familyId = newId("session");
      return { familyId, secret: await issue(userId, familyId, ttlSeconds) };
    },

    async rotate(secret: string, ttlSeconds: number): Promise<Rotation> {
      if (!secret.startsWith(PREFIX)) return { ok: false, reason: "unknown" };
      const doc: RefreshTokenDoc | null = await c.refreshTokens.findOne({ _id: hash(secret) });
      if (!doc) return { ok: false, reason: "unknown" };
      if (doc.revokedAt) return { ok: false, reason: "revoked" };
      if (doc.usedAt) {
        await revokeFamily(doc.familyId);
        return { ok: false, reason: "reused" };
      }
      if (doc.expiresAt.getTime() <= Date.now()) return { ok: false, reason: "expired" };
      // Conditional: of two exchanges racing with one token, one wins and the other is a reuse.
      const claimed = await c.refreshTokens.updateOne({ _id: doc._id, usedAt: null }, { $set: { usedAt: new Date() } });
      if (claimed.modifiedCount !== 1) {
        await revokeFamily(doc.familyId);
        return { ok: false, reason: "reused" };
      }
      return {
        ok: true,
        userId: doc.userId,
        familyId: doc.familyId,
        secret: await issue(doc.userId, doc.familyId, ttlSeconds),
      };
    },

    /** Logout: the family of this token is revoked. Returns it (null for an unknown token). */
    async revoke(secret: string): Promise<RefreshTokenDoc | null> {
      const doc = await c.refreshTokens.findOne({ _id: hash(secret) });
      if (doc) await revokeFamily(doc.familyId);
      return doc;
    },

    async isFamilyRevoked(familyId: string): Promise<boolean> {
      return (await c.refreshTokens.countDocuments({ familyId, revokedAt: { $ne: null } }, { limit: 1 })) > 0;
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
