import type { SessionsRepo } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";
import type { AccessTokens } from "./access-tokens.js";

export interface TokenPair {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
}

/**
 * Login sessions: a refresh-token family in MongoDB plus short-lived access tokens. A revoked
 * session is also marked in Redis for the access tokens' lifetime, so every API process
 * refuses its still-unexpired access tokens at once without a database read per request.
 */
export function createSessions(
  sessions: SessionsRepo,
  tokens: AccessTokens,
  redis: Redis | Cluster,
  keyPrefix: string,
  refreshTtlSeconds: number,
) {
  const revokedKey = (sessionId: string) => `${keyPrefix}:revoked-session:${sessionId}`;

  async function pair(userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
    return {
      accessToken: await tokens.sign({ userId, sessionId }),
      tokenType: "Bearer",
      expiresIn: tokens.ttlSeconds,
      refreshToken,
    };
  }

  async function markRevoked(sessionId: string): Promise<void> {
    await redis.set(revokedKey(sessionId), "1", "EX", tokens.ttlSeconds);
  }

  return {
    async start(userId: string): Promise<TokenPair> {
      const { familyId, secret } = await sessions.start(userId, refreshTtlSeconds);
      return pair(userId, familyId, secret);
    },

    /** Null when the refresh token cannot be used (unknown, expired, revoked or reused). */
    async refresh(refreshToken: string): Promise<TokenPair | null> {
      const rotation = await sessions.rotate(refreshToken, refreshTtlSeconds);
      if (!rotation.ok) {
        if (rotation.reason === "reused") {
          const revoked = await sessions.revoke(refreshToken);
          if (revoked) await markRevoked(revoked.familyId);
        }
        return null;
      }
      return pair(rotation.userId, rotation.familyId, rotation.secret);
    },

    async logout(refreshToken: string): Promise<void> {
      const revoked = await sessions.revoke(refreshToken);
      if (revoked) await markRevoked(revoked.familyId);
    },

    async isRevoked(sessionId: string): Promise<boolean> {
      return (await redis.exists(revokedKey(sessionId))) === 1;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
