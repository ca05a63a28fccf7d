import { queryJobSchema } from "@llm-chat/contracts";
import type { QueryEmitter } from "@llm-chat/events";
import {
  CircuitOpenError,
  countTokens,
  type Generation,
  type ModelRegistry,
  neutraliseMarkers,
  ProviderError,
  type Providers,
} from "@llm-chat/llm";
import { type ConversationOrder, isFinal, type QueryLifecycle } from "@llm-chat/query-lifecycle";
import type { Metrics } from "@llm-chat/runtime";
import { type Logger, logContext } from "@llm-chat/runtime";
import type { QueryDoc, Store } from "@llm-chat/store";
import { type Job, UnrecoverableError } from "bullmq";
import { abortReasonOf } from "./abort-reason.js";
import { type AttemptResult, type JobValue, toBullmq } from "./attempt-result.js";
import { BREAKER_WAKE_SPREAD_MS, waitForBreaker } from "./breaker-wait.js";
import type { PromptBuilder } from "./build-prompt.js";
import { judge, QueryTimeoutError, type Verdict } from "./failure.js";

export interface QueryProcessorDeps {
  store: Store;
  lifecycle: QueryLifecycle;
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

interface ModelAnswer {
  output: string;
  modelMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** A failure that no retry can mend (the conversation or the model is gone). */
class Permanent extends Error {}

export function createQueryProcessor(deps: QueryProcessorDeps) {
  const { store, logger, lifecycle } = deps;

  const timeoutOf = (query: QueryDoc) =>
    query.params.timeoutSeconds ? query.params.timeoutSeconds * 1000 : deps.queryTimeoutMs;

  /**
   * The query's provider refuses calls for now (circuit open). That says nothing about the
   * query, so no attempt is spent: it waits in the delayed set, shown as queued (nobody is
   * working on it), until the breaker lets a call through; once that would be past its
   * deadline, it fails as provider_unavailable instead of waiting for nothing.
   */
  async function waitOutBreaker(query: QueryDoc, retryAt: number, running: boolean): Promise<AttemptResult> {
    const deadline = query.createdAt.getTime() + timeoutOf(query);
    const wait = waitForBreaker(retryAt, deadline, Date.now(), Math.random() * BREAKER_WAKE_SPREAD_MS);
    if (wait.kind === "give-up") {
      const message = "the model's provider stayed unavailable until the query's deadline";
      logger.warn({ retryAt, deadline }, "query failed: circuit breaker open past its deadline");
      await lifecycle.fail(query, "provider_unavailable", message);
      return { kind: "fail", message };
    }
    if (running) await lifecycle.handBack(query._id);
    logger.info({ until: new Date(wait.until).toISOString() }, "query waits for its provider's circuit breaker");
    return { kind: "pause", until: wait.until };
  }

  /** Before starting a query: is its provider refusing calls? Asks Redis only while some breaker is open. */
  async function heldByBreaker(queryId: string) {
    if (!deps.providers.anyPaused()) return null;
    const state = await lifecycle.stateOf(queryId);
    if (!state || isFinal(state.status)) return null;
    const model = deps.models.get(state.doc.model);
    const retryAt = model ? deps.providers.pausedUntil(model) : null;
    return retryAt === null ? null : { query: state.doc, retryAt, running: state.status === "running" };
  }

  /** A conversation's first query knows its system prompt and has no summary: no need to read it back. */
  async function conversationOf(query: QueryDoc, system: string | null | undefined) {
    if (query.seq === 0 && system !== undefined) return { _id: query.conversationId, system, summary: null };
    const conversation = await store.conversations.findById(query.conversationId);
    if (!conversation) throw new Permanent("conversation no longer exists");
    return conversation;
  }

  async function askModel(
    query: QueryDoc,
    system: string | null | undefined,
    promptTokens: number,
    signal: AbortSignal,
    deadline: Date,
  ) {
    const conversation = await conversationOf(query, system);
    const model = deps.models.get(query.model);
    if (!model) throw new Permanent(`model ${query.model} is no longer configured`);

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
      output: generation.output,
      modelMs: generation.predictTimeMs ?? Date.now() - started,
      // The provider's own counts are what it bills; ours are the fallback.
      inputTokens: generation.inputTokens ?? built.inputTokens,
      outputTokens: generation.outputTokens,
    } satisfies ModelAnswer;
  }

  /** Runs the model for a running query and records the answer. */
  async function answer(
    query: QueryDoc,
    system: string | null | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const timeoutMs = timeoutOf(query);
    const deadline = query.createdAt.getTime() + timeoutMs;
    if (deadline <= Date.now()) throw new QueryTimeoutError(timeoutMs);
    const timeout = AbortSignal.timeout(deadline - Date.now());
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

    const model = deps.models.get(query.model);
    const promptTokens = model ? countTokens(model.tokenizer, neutraliseMarkers(query.prompt)) : 0;
    let reply: ModelAnswer;
    try {
      reply = await askModel(query, system, promptTokens, combined, new Date(deadline));
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) throw new QueryTimeoutError(timeoutMs);
      throw error;
    }
    // `output` is content: written only when LOG_CONTENT is on, [redacted] otherwise.
    logger.debug({ output: reply.output, modelMs: reply.modelMs }, "model answered");
    const answerTokens = model ? countTokens(model.tokenizer, neutraliseMarkers(reply.output)) : 0;
    const finishedAt = Date.now();
    const ended = await lifecycle.succeed(query, {
      output: reply.output,
      promptTokens,
      answerTokens,
      metrics: {
        queueMs: query.startedAt ? query.startedAt.getTime() - query.createdAt.getTime() : null,
        modelMs: reply.modelMs,
        totalMs: finishedAt - query.createdAt.getTime(),
        inputTokens: reply.inputTokens,
        outputTokens: reply.outputTokens ?? answerTokens,
      },
    });
    // Lost: canceled while the model ran. Gone: deleted with its conversation. Nothing of it stays.
    return { kind: "done", outcome: ended.kind === "recorded" ? "succeeded" : "discarded" };
  }

  async function attempt(job: Job, queryId: string, signal: AbortSignal | undefined): Promise<AttemptResult> {
    let running: QueryDoc | null = null;
    try {
      // Not started only to be handed back: no running status, start webhook or attempt for nothing.
      const held = await heldByBreaker(queryId);
      if (held) return await waitOutBreaker(held.query, held.retryAt, held.running);
      const begun = await lifecycle.begin(queryId, new Date());
      if (begun.kind === "gone" || begun.kind === "ended") return { kind: "done", outcome: "skipped" };
      if (begun.kind === "wait") return { kind: "wait", place: begun.place };
      running = begun.query;
      return await answer(running, begun.system, signal);
    } catch (error) {
      const reason = abortReasonOf(signal);
      // The API decided `canceled` and told the stream; the provider call was cut and its
      // prediction canceled upstream. Nothing is recorded.
      if (reason === "canceled") return { kind: "done", outcome: "canceled" };
      if (reason === "handBack") {
        // Back to the queue without spending an attempt: the next worker starts it afresh.
        await lifecycle.handBack(queryId);
        return { kind: "handBack" };
      }
      // The breaker opened (or its trial call went out) between our look and the call.
      if (error instanceof CircuitOpenError && running) return await waitOutBreaker(running, error.retryAt, true);
      const verdict: Verdict =
        error instanceof Permanent ? { permanent: true, code: "internal", message: error.message } : judge(error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!verdict.permanent && !lastAttempt) {
        logger.warn({ err: error, code: verdict.code }, "query attempt failed, will retry");
        return { kind: "retry", error };
      }
      logger.warn({ err: error, code: verdict.code }, "query failed");
      const query = running ?? (await lifecycle.stateOf(queryId))?.doc;
      if (query) await lifecycle.fail(query, verdict.code, verdict.message);
      return { kind: "fail", message: verdict.message };
    }
  }

  async function processQuery(job: Job, token?: string, signal?: AbortSignal): Promise<JobValue> {
    const parsed = queryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      logger.error({ jobId: job.id, issues: parsed.error.issues }, "invalid query job payload");
      throw new UnrecoverableError("invalid job payload");
    }
    const result = await attempt(job, parsed.data.queryId, signal);
    if (result.kind === "done")
      logger.info({ outcome: result.outcome, attempt: job.attemptsMade + 1 }, "query processed");
    return toBullmq(result, job, token, {
      recheckMs: deps.orderRecheckMs,
      stillBlocked: async (place) => (await deps.order.blocker(place)) !== null,
    });
  }

  // Every line logged while a job runs, however deep, carries its query and job ids.
  return (job: Job, token?: string, signal?: AbortSignal): Promise<JobValue> =>
    logContext.run({ queryId: String((job.data as { queryId?: unknown })?.queryId ?? ""), jobId: job.id ?? "" }, () =>
      processQuery(job, token, signal),
    );
}
