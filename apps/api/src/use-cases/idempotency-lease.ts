import { createHash, randomUUID } from "node:crypto";
import { defineDeleteIfEquals, defineScript } from "@llm-chat/queue";
import type { Cluster, Redis } from "ioredis";

/**
 * How long a request's right to submit an idempotency key's query lasts without renewal.
 * It is renewed while the submit runs, so only an owner that died (or stalled this long)
 * loses it; a retry then takes over within seconds instead of being refused for the day.
 */
export const IDEMPOTENCY_LEASE_MS = 5000;
const RENEW_EVERY_MS = Math.floor(IDEMPOTENCY_LEASE_MS / 3);

// Renews (and ends, with defineDeleteIfEquals) the lease only for its owner: one that lapsed
// and was taken over must not extend or delete its successor's. One key per script, so any
// Redis Cluster slot will do.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

export interface IdempotencyLease {
  /** Whether the lease was still ours (checked and renewed in one step). */
  stillHeld(): Promise<boolean>;
  end(): Promise<void>;
}

/** Short-lived leases in Redis: who may submit the query of a user's idempotency key right now. */
export function createIdempotencyLeases(redis: Redis | Cluster, keyPrefix: string) {
  // Hashed: keys are client text (up to 255 characters, braces included), and the prefix's
  // hash tag must stay the only one in the key.
  const keyOf = (userId: string, key: string) =>
    `${keyPrefix}:idem:lease:${createHash("sha256").update(`${userId}\n${key}`).digest("hex")}`;
  const renewScript = defineScript(redis, "llmChatLeaseRenew", RENEW);
  const endLease = defineDeleteIfEquals(redis);

  return {
    /** Takes the lease, renewed in the background until `end`; null while another request holds it. */
    async take(userId: string, key: string): Promise<IdempotencyLease | null> {
      const leaseKey = keyOf(userId, key);
      const owner = randomUUID();
      if ((await redis.set(leaseKey, owner, "PX", IDEMPOTENCY_LEASE_MS, "NX")) !== "OK") return null;
      const renew = async () => (await renewScript(leaseKey, owner, IDEMPOTENCY_LEASE_MS)) === 1;
      const timer = setInterval(() => void renew().catch(() => undefined), RENEW_EVERY_MS);
      timer.unref();
      return {
        stillHeld: renew,
        async end() {
          clearInterval(timer);
          await endLease(leaseKey, owner);
        },
      };
    },

    async held(userId: string, key: string): Promise<boolean> {
      return (await redis.exists(keyOf(userId, key))) === 1;
    },
  };
}

export type IdempotencyLeases = ReturnType<typeof createIdempotencyLeases>;
