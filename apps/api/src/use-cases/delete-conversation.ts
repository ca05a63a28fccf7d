import type { AppDeps } from "../deps.js";

/**
 * Deletes a conversation with its queries, messages, waiting jobs and Redis history. The
 * conversation document goes first, so no new query can join it meanwhile. A query a
 * worker is running right now finds its record gone when it finishes and discards its
 * answer (see the worker's query processor).
 */
export async function deleteConversation(deps: AppDeps, conversationId: string, userId: string): Promise<void> {
  const { conversations, queries, messages } = deps.store;
  const [openIds, allIds] = await Promise.all([queries.listOpenIds(conversationId), queries.listIds(conversationId)]);
  await conversations.delete(conversationId);
  const queue = deps.producer.queue("query");
  // remove() leaves a job that a worker holds (it is locked); that one discards itself.
  await Promise.all(openIds.map((id) => queue.remove(id)));
  await queries.deleteForConversation(conversationId);
  await messages.deleteForConversation(conversationId);
  await deps.store.webhooks.deleteForQueries(allIds);
  await Promise.all(allIds.map((id) => deps.events.drop(id)));
  // A worker still running one of them finds no live state when it finishes, and discards it.
  await deps.lifecycle.forget(allIds);
  // Every API process ends its event streams of these queries.
  await Promise.all(allIds.map((id) => deps.redis.publish(deps.streams.goneChannel, id)));
  await deps.history.drop(conversationId);
  // Places its open queries held against their owner's cap; the line and counter go with it.
  await Promise.all(openIds.map((id) => deps.ledger.release(userId, id)));
  await deps.ledger.dropConversation(conversationId);
}
