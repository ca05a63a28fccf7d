import { isFinal, type QueryLedger, type QueryLifecycle } from "@llm-chat/query-lifecycle";
import type { Producer } from "@llm-chat/queue";
import type { Logger } from "@llm-chat/runtime";
import type { Store } from "@llm-chat/store";

export interface SweeperConfig {
  intervalMs: number;
  /** Only queries older than this are looked at, so a submit in flight is never raced. */
  graceMs: number;
  batch: number;
}

/**
 * MongoDB says which queries were accepted; Redis may have lost their jobs (a flush, a
 * failover without persistence). Re-adding with the query id as job id is a no-op for
 * jobs that still exist, so every worker can run this without coordination.
 */
export function startSweeper(
  store: Store,
  producer: Producer,
  ledger: QueryLedger,
  lifecycle: QueryLifecycle,
  logger: Logger,
  config: SweeperConfig,
) {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const stale = await store.queries.findStaleOpen(new Date(Date.now() - config.graceMs), config.batch);
      const queue = producer.queue("query");
      const missing: typeof stale = [];
      for (const query of stale) {
        // Rebuilds the live state from the record if Redis lost it.
        const state = await lifecycle.stateOf(query._id);
        if (!state) continue;
        if (isFinal(state.status)) {
          // Its outcome was decided but the process died before recording it.
          await lifecycle.settle(state);
          continue;
        }
        const job = await queue.getJob(query._id);
        if (job) {
          // A job that failed without its query saying so (the final write was lost) would
          // otherwise hold up the rest of its conversation forever.
          if (await job.isFailed()) {
            await lifecycle.fail(state.doc, "internal", "the query could not be completed");
            logger.warn({ queryId: query._id }, "closed a query whose job had failed");
          }
          continue;
        }
        missing.push(state.doc);
      }
      // Back in their conversations' lines (Redis may have lost those too) before any job
      // exists, so a later query of a conversation cannot overtake an earlier one.
      for (const query of missing) {
        await ledger.enter(query._id, query);
        await ledger.reserve(query.userId, query._id, Number.MAX_SAFE_INTEGER);
      }
      for (const query of missing) {
        await producer.enqueue(
          "query",
          { queryId: query._id, conversationId: query.conversationId, userId: query.userId },
          query._id,
        );
        logger.warn({ queryId: query._id, status: query.status }, "re-enqueued a query whose job was missing");
      }
    } catch (err) {
      logger.warn({ err }, "sweep failed; will try again");
    }
    try {
      // FerretDB has no TTL indexes: expired idempotency keys are removed here.
      await store.idempotency.deleteExpired(new Date());
    } catch (err) {
      logger.warn({ err }, "could not remove expired idempotency keys");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), config.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
