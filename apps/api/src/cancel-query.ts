import { terminalStatuses } from "@llm-chat/contracts";
import type { QueryDoc } from "@llm-chat/store";
import type { AppDeps } from "./deps.js";
import { HttpProblem } from "./http/problem.js";

const alreadyFinished = (status: string) =>
  new HttpProblem(409, "Query already finished", `the query is ${status} and cannot be canceled`);

/**
 * Cancels a queued or running query. A queued one loses its job and never runs; a running
 * one's worker is told (pub/sub) to abort the provider call, which cancels the prediction
 * upstream, and discards whatever comes back. Either way the conversation moves on.
 */
export async function cancelQuery(deps: AppDeps, query: QueryDoc): Promise<QueryDoc> {
  if (terminalStatuses.includes(query.status)) throw alreadyFinished(query.status);
  const finishedAt = new Date();
  if (!(await deps.store.queries.markCanceled(query._id, finishedAt))) {
    const now = await deps.store.queries.findById(query._id);
    throw alreadyFinished(now?.status ?? "gone");
  }
  // A waiting or delayed job is removed; one a worker holds is locked and aborted instead.
  await deps.producer.queue("query").remove(query._id);
  await deps.redis.publish(`${deps.config.queuePrefix}:cancel`, query._id);
  const canceled: QueryDoc = { ...query, status: "canceled", finishedAt };
  await deps.emitter.finished(canceled);
  await deps.order.promoteNext(query);
  return canceled;
}
