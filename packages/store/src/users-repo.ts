import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyDoc, UserDoc } from "./documents.js";
import { newId } from "./ids.js";
import { type Collections, isDuplicateKey } from "./mongo.js";

export class EmailTakenError extends Error {
  constructor() {
    super("email already registered");
  }
}

const KEY_PREFIX = "llmc_";
const PREFIX_SHOWN = KEY_PREFIX.length + 6;
/**
 * A key reads `llmc_<key id without "key_">_<40 random characters>`. The id part lets the
 * server fetch the key's document by _id (one indexed read on any MongoDB-compatible
 * server) and then compare hashes; the random part is the secret. Keys of the older
 * `llmc_<random>` form are refused: finding them needed a lookup by hash, which a
 * MongoDB-compatible server without secondary indexes answers with a scan per request.
 */
const KEY_FORMAT = /^llmc_([0-9A-HJKMNP-TV-Z]{26})_[A-Za-z0-9_-]{40}$/;

/** The id of the key a secret names (`key_…`), or null for a secret of another form. */
export function apiKeyIdOf(secret: string): string | null {
  const idPart = KEY_FORMAT.exec(secret)?.[1];
  return idPart === undefined ? null : `key_${idPart}`;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 32 random bytes in the Standard Webhooks format that receivers' libraries accept. */
function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export interface NewApiKey {
  doc: ApiKeyDoc;
  /** Returned once, to the caller that created it; only its hash is stored. */
  secret: string;
}

export function createUsersRepo(c: Collections) {
  return {
    /** Creates the user and the first API key. If the key cannot be written, the user is removed again. */
    async register(email: string, passwordHash: string): Promise<{ user: UserDoc; key: NewApiKey }> {
      const user: UserDoc = { _id: newId("user"), email, passwordHash, createdAt: new Date() };
      try {
        await c.users.insertOne(user);
      } catch (error) {
        if (isDuplicateKey(error)) throw new EmailTakenError();
        throw error;
      }
      try {
        const key = await this.createApiKey(user._id, "default");
        return { user, key };
      } catch (error) {
        await c.users.deleteOne({ _id: user._id });
        throw error;
      }
    },

    async createApiKey(userId: string, name: string): Promise<NewApiKey> {
      const id = newId("apiKey");
      const secret = `${KEY_PREFIX}${id.slice(4)}_${randomBytes(30).toString("base64url")}`;
      const doc: ApiKeyDoc = {
        _id: id,
        userId,
        name,
        prefix: secret.slice(0, PREFIX_SHOWN),
        hash: hashApiKey(secret),
        createdAt: new Date(),
        lastUsedAt: null,
        revokedAt: null,
      };
      await c.apiKeys.insertOne(doc);
      return { doc, secret };
    },

    findByEmail(email: string): Promise<UserDoc | null> {
      return c.users.findOne({ email });
    },

    findById(id: string): Promise<UserDoc | null> {
      return c.users.findOne({ _id: id });
    },

    /** For the admin CLI and the ADMIN_EMAILS bootstrap only; the API never calls it. */
    async setAdmin(email: string, isAdmin: boolean): Promise<boolean> {
      const result = await c.users.updateOne({ email }, { $set: { isAdmin } });
      return result.matchedCount === 1;
    },

    listApiKeys(userId: string): Promise<ApiKeyDoc[]> {
      return c.apiKeys.find({ userId, revokedAt: null }).sort({ _id: -1 }).limit(1000).toArray();
    },

    /** Revokes at once: every API process looks keys up in MongoDB on each request. */
    async revokeApiKey(id: string, userId: string): Promise<boolean> {
      const result = await c.apiKeys.updateOne(
        { _id: id, userId, revokedAt: null },
        { $set: { revokedAt: new Date() } },
      );
      return result.modifiedCount === 1;
    },

    /** Resolves a presented secret to its live key, or null. */
    async findKeyBySecret(secret: string): Promise<ApiKeyDoc | null> {
      const idPart = KEY_FORMAT.exec(secret)?.[1];
      if (idPart === undefined) return null;
      const doc = await c.apiKeys.findOne({ _id: `key_${idPart}` });
      return doc && doc.revokedAt === null && sameHash(doc.hash, hashApiKey(secret)) ? doc : null;
    },

    /** The user's webhook signing secret, created on first use. */
    async webhookSecret(userId: string): Promise<string> {
      const user = await c.users.findOne({ _id: userId });
      if (!user) throw new Error(`user ${userId} not found`);
      if (user.webhookSecret) return user.webhookSecret;
      // Conditional: two first uses at once agree on whichever secret was written first.
      await c.users.updateOne(
        { _id: userId, webhookSecret: { $exists: false } },
        { $set: { webhookSecret: newWebhookSecret() } },
      );
      const stored = await c.users.findOne({ _id: userId });
      if (!stored?.webhookSecret) throw new Error(`user ${userId} has no webhook secret`);
      return stored.webhookSecret;
    },

    async rotateWebhookSecret(userId: string): Promise<string> {
      const secret = newWebhookSecret();
      await c.users.updateOne({ _id: userId }, { $set: { webhookSecret: secret } });
      return secret;
    },

    findKeyById(id: string): Promise<ApiKeyDoc | null> {
      return c.apiKeys.findOne({ _id: id });
    },

    async touchKey(keyId: string, at: Date): Promise<void> {
      await c.apiKeys.updateOne({ _id: keyId }, { $set: { lastUsedAt: at } });
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
