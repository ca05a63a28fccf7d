import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueryDoc } from "@llm-chat/store";
import type { AppDeps } from "./deps.js";
import { HttpProblem } from "./http/problem.js";

/** 1–255 visible ASCII characters; the OpenAPI document describes the header with it. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function readIdempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new HttpProblem(422, "Validation failed", "Idempotency-Key must be 1–255 visible ASCII characters", [
      { in: "header", pointer: "/Idempotency-Key", message: "1–255 visible ASCII characters" },
    ]);
  }
  return header;
}

/**
 * Runs `submit` at most once per user and key within 24 hours. A repeat gets the query the
 * first request created (`replayed: true`); a repeat with a different body is refused, as is
 * one that arrives while the first is still being accepted and does not finish in time.
 */
export async function once(
  deps: AppDeps,
  userId: string,
  key: string,
  body: unknown,
  submit: () => Promise<QueryDoc>,
): Promise<{ query: QueryDoc; replayed: boolean }> {
  const bodyHash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
  const claim = await deps.store.idempotency.claim(userId, key, bodyHash, new Date());
  if (claim.claimed) {
    try {
      const query = await submit();
      await deps.store.idempotency.complete(userId, key, query._id);
      return { query, replayed: false };
    } catch (error) {
      await deps.store.idempotency.release(userId, key);
      throw error;
    }
  }
  if (claim.existing.bodyHash !== bodyHash) {
    throw new HttpProblem(
      422,
      "Idempotency key reused",
      "this Idempotency-Key was used with a different request body",
      [{ in: "header", pointer: "/Idempotency-Key", message: "already used with a different body" }],
    );
  }
  // The first request may still be between claiming the key and recording its query.
  let queryId = claim.existing.queryId;
  for (let waited = 0; queryId === null && waited < 5000; waited += 50) {
    await sleep(50);
    queryId = (await deps.store.idempotency.find(userId, key))?.queryId ?? null;
  }
  const query = queryId ? await deps.lifecycle.read(queryId, userId) : null;
  if (!query) {
    throw new HttpProblem(
      409,
      "Request in progress",
      "a request with this Idempotency-Key is still being processed",
      undefined,
      {
        "Retry-After": "1",
      },
    );
  }
  return { query, replayed: true };
}
