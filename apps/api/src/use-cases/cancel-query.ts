import type { QueryDoc } from "@llm-chat/store";
import type { AppDeps } from "../deps.js";
import { DomainError, notFound } from "./domain-error.js";

/**
 * Cancels a queued or running query. A queued one loses its job and never runs; a running
 * one's worker is told (pub/sub) to abort the provider call, which cancels the prediction
 * upstream, and discards whatever comes back. Either way the conversation moves on.
 */
export async function cancelQuery(deps: AppDeps, id: string, userId: string): Promise<QueryDoc> {
  const result = await deps.lifecycle.cancel(id, userId);
  switch (result.kind) {
    case "canceled":
      return result.query;
    case "not-found":
      throw notFound("query");
    case "finished":
      throw new DomainError("query_finished", `the query is ${result.status} and cannot be canceled`);
  }
}
