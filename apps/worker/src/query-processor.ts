import { type QueryJob, queryJobSchema } from "@llm-chat/contracts";
import type { HotHistory } from "@llm-chat/history";
import { formatChat, type ModelRegistry, type ReplicateProvider, toReplicateInput } from "@llm-chat/llm";
import type { Logger } from "@llm-chat/logger";
import type { QueryDoc, Store } from "@llm-chat/store";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { judge, QueryTimeoutError } from "./failure.js";

export interface QueryProcessorDeps {
  store: Store;
  history: HotHistory;
  models: ModelRegistry;
  provider: ReplicateProvider;
  logger: Logger;
  queryTimeoutMs: number;
}

/** The reason a worker gives its running jobs when it must leave before they finish. */
export const HAND_BACK = "worker shutting down";

export type QueryResult = { outcome: "succeeded" | "skipped" };

interface Answer {
  output: string;
  modelMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

export function createQueryProcessor(deps: QueryProcessorDeps) {
  const { store, history, logger } = deps;

  async function runModel(query: QueryDoc, signal: AbortSignal): Promise<Answer> {
    const conversation = await store.conversations.findById(query.conversationId);
    if (!conversation) throw new UnrecoverableError("conversation no longer exists");
    const model = deps.models.get(query.model);
    if (!model) throw new UnrecoverableError(`model ${query.model} is no longer configured`);

    const { turns } = await history.load(conversation._id, query.seq);
    const prompt = formatChat(model.template, { system: conversation.system, history: turns, prompt: query.prompt });
    const started = Date.now();
    const generation = await deps.provider.generate({
      model: model.providerModel,
      input: toReplicateInput(model, prompt, query.params),
      signal,
    });
    return {
      output: generation.output,
      modelMs: generation.predictTimeMs ?? Date.now() - started,
      inputTokens: generation.inputTokens,
      outputTokens: generation.outputTokens,
    };
  }

  async function attempt(job: QueryJob, signal: AbortSignal | undefined): Promise<QueryResult> {
    const query = await store.queries.markRunning(job.queryId, new Date());
    if (!query) return { outcome: "skipped" }; // finished already, or deleted: nothing to do

    const deadline = query.createdAt.getTime() + deps.queryTimeoutMs;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new QueryTimeoutError(deps.queryTimeoutMs);
    const timeout = AbortSignal.timeout(remaining);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

    // An earlier attempt may have recorded the answer and died before marking the query:
    // reuse it rather than asking the model again and recording a second answer.
    const recorded = await store.messages.findAnswer(query._id);
    let answer: Answer;
    try {
      answer =
        recorded === null
          ? await runModel(query, combined)
          : { output: recorded, modelMs: null, inputTokens: null, outputTokens: null };
    } catch (error) {
      if (timeout.aborted) throw new QueryTimeoutError(deps.queryTimeoutMs);
      throw error;
    }

    const output = await store.messages.recordExchange(query, answer.output);
    // History before status: once a query is visibly done, the next one must see its turn.
    await history.append(query.conversationId, { seq: query.seq, user: query.prompt, assistant: output });
    const finishedAt = new Date();
    await store.queries.markSucceeded(
      query._id,
      output,
      {
        queueMs: query.startedAt ? query.startedAt.getTime() - query.createdAt.getTime() : null,
        modelMs: answer.modelMs,
        totalMs: finishedAt.getTime() - query.createdAt.getTime(),
        inputTokens: answer.inputTokens,
        outputTokens: answer.outputTokens,
      },
      finishedAt,
    );
    return { outcome: "succeeded" };
  }

  return async function processQuery(job: Job, token?: string, signal?: AbortSignal): Promise<QueryResult> {
    const parsed = queryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      logger.error({ jobId: job.id, issues: parsed.error.issues }, "invalid query job payload");
      throw new UnrecoverableError("invalid job payload");
    }
    const data = parsed.data;
    const log = logger.child({ queryId: data.queryId, jobId: job.id, attempt: job.attemptsMade + 1 });
    try {
      const result = await attempt(data, signal);
      log.info({ outcome: result.outcome }, "query processed");
      return result;
    } catch (error) {
      if (signal?.aborted && signal.reason === HAND_BACK && token) {
        // Back to the queue without spending an attempt: the next worker starts it afresh.
        await store.queries.markQueued(data.queryId);
        await job.moveToDelayed(Date.now(), token);
        log.info("query handed back at shutdown");
        throw new DelayedError();
      }
      const verdict =
        error instanceof UnrecoverableError
          ? { permanent: true, code: "internal" as const, message: error.message }
          : judge(error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (verdict.permanent || lastAttempt) {
        await store.queries.markFailed(data.queryId, verdict.code, verdict.message, new Date());
        log.warn({ err: error, code: verdict.code }, "query failed");
        throw error instanceof UnrecoverableError ? error : new UnrecoverableError(verdict.message);
      }
      log.warn({ err: error, code: verdict.code }, "query attempt failed, will retry");
      throw error;
    }
  };
}
