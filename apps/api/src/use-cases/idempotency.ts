import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueryDoc } from "@llm-chat/store";
import type { AppDeps } from "../deps.js";
import { DomainError, type FieldIssue } from "./domain-error.js";
import { createIdempotencyLeases, type IdempotencyLeases } from "./idempotency-lease.js";

/** How long a repeat waits for a first request that is still being accepted before answering 409. */
export const IDEMPOTENCY_WAIT_MS = 5000;
/** How often a waiting repeat looks whether the first request's lease is gone (the accept itself is signalled). */
const LEASE_CHECK_MS = 100;

const theKey = (message: string): FieldIssue[] => [{ in: "header", pointer: "/Idempotency-Key", message }];

const reusedWithOtherBody = () =>
  new DomainError(
    "idempotency_key_reused",
    "this Idempotency-Key was used with a different request body",
    theKey("already used with a different body"),
  );

const stillInProgress = () =>
  new DomainError("idempotency_in_progress", "a request with this Idempotency-Key is still being processed", [], 1);

const queryDeleted = () =>
  new DomainError(
    "idempotency_key_used",
    "the query this Idempotency-Key created has since been deleted",
    theKey("use a new key for a new query"),
  );

/**
 * Waits, at most until `until`, for a sign that the request holding the key's lease is
 * done: its query's first event (published as it is accepted), or its lease gone (it
 * failed, finished, or died and the lease lapsed).
 */
async function waitForHolder(
  deps: AppDeps,
  leases: IdempotencyLeases,
  userId: string,
  key: string,
  queryId: string,
  until: number,
): Promise<void> {
  const accepted = new AbortController();
  const stopListening = deps.hub.listen(queryId, () => accepted.abort());
  try {
    while (!accepted.signal.aborted && Date.now() < until) {
      if (!(await leases.held(userId, key))) return;
      await sleep(Math.min(LEASE_CHECK_MS, until - Date.now()), undefined, { signal: accepted.signal }).catch(
        () => undefined,
      );
    }
  } finally {
    stopListening();
  }
}

/**
 * Runs `submit` at most once per user and key within 24 hours. The key's record names the
 * query id before anything is submitted, and every request with the key submits under that
 * id, so however requests fail, die or race, one query at most comes of it. A short lease in
 * Redis keeps two live requests from submitting at once; a repeat waits for the holder
 * (bounded) and gets its query (`replayed: true`), or 409 with Retry-After while the holder
 * is still at it. A repeat with a different body is refused.
 */
export async function once(
  deps: AppDeps,
  userId: string,
  key: string,
  body: unknown,
  submit: (queryId: string) => Promise<QueryDoc>,
): Promise<{ query: QueryDoc; replayed: boolean }> {
  const bodyHash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
  const leases = createIdempotencyLeases(deps.redis, deps.config.queuePrefix);
  const { idempotency } = deps.store;
  const until = Date.now() + IDEMPOTENCY_WAIT_MS;
  for (;;) {
    const record = await idempotency.reserve(userId, key, bodyHash, deps.store.queries.newId(), new Date());
    if (record.bodyHash !== bodyHash) throw reusedWithOtherBody();
    const queryId = record.queryId;
    const existing = await deps.lifecycle.read(queryId, userId);
    if (existing) return { query: existing, replayed: true };
    if (record.acceptedAt) throw queryDeleted();

    const lease = await leases.take(userId, key);
    if (!lease) {
      if (Date.now() >= until) throw stillInProgress();
      await waitForHolder(deps, leases, userId, key, queryId, until);
      continue;
    }
    try {
      // The holder before us may have finished (accepted, or failed and let the record go)
      // between our look and our lease: look again under the lease.
      if ((await idempotency.find(userId, key))?.queryId !== queryId) continue;
      const accepted = await deps.lifecycle.read(queryId, userId);
      if (accepted) return { query: accepted, replayed: true };
      let query: QueryDoc;
      try {
        query = await submit(queryId);
      } catch (error) {
        // A holder whose lease lapsed may have accepted the query meanwhile: that is the answer.
        const theirs = await deps.lifecycle.read(queryId, userId).catch(() => null);
        if (theirs) return { query: theirs, replayed: true };
        // Accepted in full or not at all: nothing was, so a retry may start over, even with
        // another body. Not if our lease lapsed: the record is then someone else's to settle.
        if (await lease.stillHeld().catch(() => false)) {
          await idempotency.release(userId, key, queryId).catch(() => undefined);
        }
        throw error;
      }
      // Best effort: without the mark a repeat still finds the query by its id.
      await idempotency.accepted(userId, key, queryId, new Date()).catch(() => undefined);
      return { query, replayed: false };
    } finally {
      await lease.end().catch(() => undefined);
    }
  }
}
