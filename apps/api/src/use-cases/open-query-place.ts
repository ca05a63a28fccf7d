import type { AppDeps } from "../deps.js";
import { DomainError } from "./domain-error.js";

/** How soon a refused submit is worth trying again: open queries end in seconds as a rule. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Takes one of the user's open-query places for `queryId`. When all are taken, the holders
 * are checked against their records once: a place whose query ended without saying so (a
 * process died at the wrong moment, or its conversation was deleted) is given back.
 */
export async function reserveOpenQueryPlace(deps: AppDeps, userId: string, queryId: string): Promise<void> {
  const cap = deps.config.maxOpenQueriesPerUser;
  const { ledger } = deps;
  if (await ledger.reserve(userId, queryId, cap)) return;
  const holders = await ledger.openOf(userId);
  const open = await Promise.all(holders.map((id) => deps.lifecycle.isOpen(id)));
  await Promise.all(holders.filter((_, i) => !open[i]).map((id) => ledger.release(userId, id)));
  if (await ledger.reserve(userId, queryId, cap)) return;
  throw new DomainError(
    "too_many_open_queries",
    `at most ${cap} queries may be queued or running at once`,
    [],
    RETRY_AFTER_SECONDS,
  );
}
