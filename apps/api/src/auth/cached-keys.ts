import { type ApiKeyDoc, apiKeyIdOf, hashApiKey, sameHash, type UsersRepo } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";

interface CachedKey {
  userId: string;
  hash: string;
  revoked: boolean;
  lastUsedAt: number | null;
}

export interface CachedKeysConfig {
  keyPrefix: string;
  ttlSeconds: number;
}

/**
 * API keys as the request path sees them, cached in Redis so that a client polling every
 * 200 ms costs the store nothing. A revocation writes a tombstone over the cached entry
 * (and a lookup fills the cache only where nothing is cached, SET NX), so a revoked key
 * stops working at once on every API process, even against a lookup racing the revoke.
 */
export function createCachedKeys(redis: Redis | Cluster, users: UsersRepo, config: CachedKeysConfig) {
  const key = (keyId: string) => `${config.keyPrefix}:apikey:${keyId}`;
  const ttl = config.ttlSeconds;

  async function load(keyId: string): Promise<CachedKey | null> {
    const raw = await redis.get(key(keyId));
    if (raw) return JSON.parse(raw) as CachedKey;
    const doc = await users.findKeyById(keyId);
    if (!doc) return null;
    const entry: CachedKey = {
      userId: doc.userId,
      hash: doc.hash,
      revoked: doc.revokedAt !== null,
      lastUsedAt: doc.lastUsedAt?.getTime() ?? null,
    };
    await redis.set(key(keyId), JSON.stringify(entry), "EX", ttl, "NX");
    return entry;
  }

  return {
    /** The live key a secret belongs to, as much of it as authentication needs, or null. */
    async find(secret: string): Promise<Pick<ApiKeyDoc, "_id" | "userId" | "lastUsedAt"> | null> {
      const keyId = apiKeyIdOf(secret);
      if (keyId === null) return users.findKeyBySecret(secret);
      const entry = await load(keyId);
      if (!entry || entry.revoked || !sameHash(entry.hash, hashApiKey(secret))) return null;
      return {
        _id: keyId,
        userId: entry.userId,
        lastUsedAt: entry.lastUsedAt === null ? null : new Date(entry.lastUsedAt),
      };
    },

    /** Records a use in the store and in the cached entry (so the next check sees it). */
    async touch(keyId: string, at: Date): Promise<void> {
      await users.touchKey(keyId, at);
      const raw = await redis.get(key(keyId));
      if (!raw) return;
      const entry = JSON.parse(raw) as CachedKey;
      await redis.set(key(keyId), JSON.stringify({ ...entry, lastUsedAt: at.getTime() }), "KEEPTTL", "XX");
    },

    /** Revokes the key for its owner; false when it is not theirs or already revoked. */
    async revoke(keyId: string, userId: string): Promise<boolean> {
      const revoked = await users.revokeApiKey(keyId, userId);
      if (revoked) {
        const tombstone: CachedKey = { userId, hash: "", revoked: true, lastUsedAt: null };
        await redis.set(key(keyId), JSON.stringify(tombstone), "EX", ttl);
      }
      return revoked;
    },
  };
}

export type CachedKeys = ReturnType<typeof createCachedKeys>;
