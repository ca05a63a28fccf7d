import { queryJobSchema } from "@llm-chat/contracts";
import type { QueryEmitter } from "@llm-chat/events";
import type { HotHistory } from "@llm-chat/history";
import {
  countTokens,
  type Generation,
  type ModelRegistry,
  neutraliseMarkers,
  ProviderError,
  type Providers,
} from "@llm-chat/llm";
import { type Logger, logContext } from "@llm-chat/logger";
import type { Metrics } from "@llm-chat/metrics";
import type { ConversationOrder } from "@llm-chat/queue";
import type { Answer, QueryDoc, Store } from "@llm-chat/store";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { PromptBuilder } from "./build-prompt.js";
import { judge, QueryTimeoutError } from "./failure.js";

export interface QueryProcessorDeps {
  store: Store;
  history: HotHistory;
  models: ModelRegistry;
  providers: Providers;
  order: ConversationOrder;
  buildPrompt: PromptBuilder;
  emitter: QueryEmitter;
  metrics: Metrics;
  logger: Logger;
  queryTimeoutMs: number;
  orderRecheckMs: number;
}

/** The reason a worker gives its running jobs when it must leave before they finish. */
export const HAND_BACK = "worker shutting down";
/** The reason given to a job whose query a client canceled. */
export const CANCELED = "canceled by the client";

export type QueryResult = { outcome: "succeeded" | "skipped" | "discarded" | "canceled" };

type Place = Pick<QueryDoc, "conversationId" | "seq">;

interface ModelAnswer extends Answer {
  modelMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Thrown to send a job back to wait (not a failure, not an attempt). */
class WaitTurn extends Error {}

export function createQueryProcessor(deps: QueryProcessorDeps) {
  const { store, history, logger, order } = deps;

  async function askModel(
    query: QueryDoc,
    promptTokens: number,
    signal: AbortSignal,
    deadline: Date,
  ): Promise<ModelAnswer> {
    const conversation = await store.conversations.findById(query.conversationId);
    if (!conversation) throw new UnrecoverableError("conversation no longer exists");
    const model = deps.models.get(query.model);
    if (!model) throw new UnrecoverableError(`model ${query.model} is no longer configured`);

    const built = await deps.buildPrompt(query, conversation, model, promptTokens);
    const started = Date.now();
    const sink = deps.emitter.output(query);
    let generation: Generation;
    try {
      generation = await deps.providers.generate({
        model,
        prompt: built.prompt,
        messages: built.messages,
        params: query.params,
        signal,
        deadline,
        onDelta: sink.push,
      });
    } catch (error) {
      if (error instanceof ProviderError) {
        deps.metrics.providerErrors.inc({ provider: deps.providers.providerName(model), class: error.kind });
      }
      throw error;
    } finally {
      sink.close();
    }
    return {
      content: generation.output,
      tokens: countTokens(model.tokenizer, neutraliseMarkers(generation.output)),
      modelMs: generation.predictTimeMs ?? Date.now() - started,
      // The provider's own counts are what it bills; ours are the fallback.
      inputTokens: generation.inputTokens ?? built.inputTokens,
      outputTokens: generation.outputTokens,
    };
  }

  async function attempt(
    queryId: string,
    signal: AbortSignal | undefined,
    placed: (place: Place) => void,
  ): Promise<QueryResult> {
    const current = await store.queries.findById(queryId);
    if (!current) return { outcome: "skipped" }; // deleted with its conversation
    placed(current);
    if (current.status === "succeeded" || current.status === "failed" || current.status === "canceled") {
      // A worker may have died between recording the outcome and announcing it. Announcing
      // again is safe: the completed webhook event's id derives from the query, so it is
      // recorded and queued once, and stream readers stop at the first `done`.
      await deps.emitter.finished(current);
      return { outcome: "skipped" };
    }
    if (await order.blocker(current)) throw new WaitTurn();

    const query = await store.queries.markRunning(queryId, new Date(), current);
    if (!query) return { outcome: "skipped" };
    await deps.emitter.started(query);

    const timeoutMs = query.params.timeoutSeconds ? query.params.timeoutSeconds * 1000 : deps.queryTimeoutMs;
    const remaining = query.createdAt.getTime() + timeoutMs - Date.now();
    if (remaining <= 0) throw new QueryTimeoutError(timeoutMs);
    const timeout = AbortSignal.timeout(remaining);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

    const model = deps.models.get(query.model);
    const promptTokens = model ? countTokens(model.tokenizer, neutraliseMarkers(query.prompt)) : 0;
    // An earlier attempt may have recorded the answer and died before marking the query:
    // reuse it rather than asking the model again and recording a second answer.
    // (A first attempt cannot have one: every attempt counts itself in markRunning.)
    const recorded = query.attempts > 1 ? await store.messages.findAnswer(query._id) : null;
    let answer: ModelAnswer;
    try {
      answer = recorded
        ? { ...recorded, modelMs: null, inputTokens: null, outputTokens: null }
        : await askModel(query, promptTokens, combined, new Date(query.createdAt.getTime() + timeoutMs));
    } catch (error) {
      if (timeout.aborted) throw new QueryTimeoutError(timeoutMs);
      throw error;
    }

    const kept = await store.messages.recordExchange(query, promptTokens, answer);
    const turn = {
      seq: query.seq,
      user: query.prompt,
      assistant: kept.content,
      userTokens: promptTokens,
      assistantTokens: kept.tokens,
    };
    // History before status: once a query is visibly done, the next one must see its turn.
    await history.append(query.conversationId, turn, model?.contextWindow);
    const finishedAt = new Date();
    const metrics = {
      queueMs: query.startedAt ? query.startedAt.getTime() - query.createdAt.getTime() : null,
      modelMs: answer.modelMs,
      totalMs: finishedAt.getTime() - query.createdAt.getTime(),
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens ?? kept.tokens,
    };
    const marked = await store.queries.markSucceeded(query._id, kept.content, metrics, finishedAt);
    if (marked) {
      await deps.emitter.finished({ ...query, status: "succeeded", output: kept.content, metrics, finishedAt });
    } else {
      const now = await store.queries.findById(query._id);
      // Another attempt of this query finished it first (this one held a lock that lapsed):
      // the messages are that attempt's too (same ids), so they stay.
      if (now?.status === "succeeded") return { outcome: "skipped" };
      // Canceled or deleted while the model ran: its turn must not stay in the conversation.
      await store.messages.deleteForQuery(query._id);
      await history.remove(query.conversationId, query.seq);
      return { outcome: "discarded" };
    }
    return { outcome: "succeeded" };
  }

  // Every line logged while a job runs, however deep, carries its query and job ids.
  return (job: Job, token?: string, signal?: AbortSignal): Promise<QueryResult> =>
    logContext.run({ queryId: String((job.data as { queryId?: unknown })?.queryId ?? ""), jobId: job.id ?? "" }, () =>
      processQuery(job, token, signal),
    );

  async function processQuery(job: Job, token?: string, signal?: AbortSignal): Promise<QueryResult> {
    const parsed = queryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      logger.error({ jobId: job.id, issues: parsed.error.issues }, "invalid query job payload");
      throw new UnrecoverableError("invalid job payload");
    }
    const data = parsed.data;
    // queryId and jobId come from the log context (logContext.run above); binding them here too
    // would write each twice into every line.
    const log = logger.child({ attempt: job.attemptsMade + 1 });
    const backToQueue = async (delayMs: number) => {
      if (!token) throw new Error("job token missing");
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    };
    let place: Place | null = null;
    let ended = false;
    try {
      const result = await attempt(data.queryId, signal, (p) => {
        place = p;
      });
      log.info({ outcome: result.outcome }, "query processed");
      ended = true;
      return result;
    } catch (error) {
      if (error instanceof WaitTurn && token) {
        await job.moveToDelayed(Date.now() + deps.orderRecheckMs, token);
        // The query we waited for may have ended between the check and the move, and its
        // worker found nothing delayed to wake: look once more rather than sleep it out.
        const at: Place | null = place;
        if (at && !(await order.blocker(at))) await job.promote().catch(() => undefined);
        throw new DelayedError();
      }
      if (signal?.aborted && signal.reason === CANCELED) {
        // The API marked it canceled and told the stream; the provider call was cut and its
        // prediction cancelled upstream. Nothing is recorded.
        log.info("query canceled while running");
        ended = true;
        return { outcome: "canceled" };
      }
      if (signal?.aborted && signal.reason === HAND_BACK) {
        // Back to the queue without spending an attempt: the next worker starts it afresh.
        await store.queries.markQueued(data.queryId);
        log.info("query handed back at shutdown");
        return backToQueue(0);
      }
      const verdict =
        error instanceof UnrecoverableError
          ? { permanent: true, code: "internal" as const, message: error.message }
          : judge(error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (verdict.permanent || lastAttempt) {
        const finishedAt = new Date();
        if (await store.queries.markFailed(data.queryId, verdict.code, verdict.message, finishedAt)) {
          const failed = await store.queries.findById(data.queryId);
          if (failed) await deps.emitter.finished(failed);
        }
        ended = true;
        log.warn({ err: error, code: verdict.code }, "query failed");
        throw error instanceof UnrecoverableError ? error : new UnrecoverableError(verdict.message);
      }
      log.warn({ err: error, code: verdict.code }, "query attempt failed, will retry");
      throw error;
    } finally {
      // Whatever ended this query, the conversation's next one may go now.
      const at: Place | null = place;
      if (ended && at) await order.promoteNext(at).catch((err) => log.warn({ err }, "could not wake the next query"));
    }
  }
}
