import {
  type BuiltContext,
  buildContext,
  type CountedTurn,
  countTokens,
  type ModelSpec,
  neutraliseMarkers,
} from "@llm-chat/llm";
import type { HotHistory } from "@llm-chat/query-lifecycle";
import type { Producer } from "@llm-chat/queue";
import type { Logger } from "@llm-chat/runtime";
import type { ConversationDoc, GivenTurn, QueryDoc } from "@llm-chat/store";

export interface PromptBuilderDeps {
  history: HotHistory;
  producer: Producer;
  logger: Logger;
  summaryEnabled: boolean;
  maxTurns: number;
}

/**
 * Turns a caller gave when starting the conversation, numbered below 0 so they come first,
 * are trimmed first and never count as turns a summary must cover.
 */
function givenTurns(given: readonly GivenTurn[], model: ModelSpec): CountedTurn[] {
  const count = (text: string) => countTokens(model.tokenizer, neutraliseMarkers(text));
  return given.map((turn, i) => ({
    seq: i - given.length,
    user: turn.user,
    assistant: turn.assistant,
    userTokens: count(turn.user),
    assistantTokens: count(turn.assistant),
  }));
}

/**
 * Builds the prompt for a query from its conversation's earlier turns, within the model's
 * token window. When turns had to be left out that the running summary does not cover yet,
 * a low-priority summary job is queued; this prompt goes out without waiting for it.
 */
export function createPromptBuilder(deps: PromptBuilderDeps) {
  async function requestSummary(conversationId: string, throughSeq: number): Promise<void> {
    try {
      // One job per conversation and end point: many queries asking for the same fold add nothing.
      await deps.producer.enqueue("summary", { conversationId, throughSeq }, `summary-${conversationId}-${throughSeq}`);
    } catch (err) {
      deps.logger.warn({ err, conversationId }, "could not queue a summary job");
    }
  }

  return async function buildPrompt(
    query: QueryDoc,
    conversation: Pick<ConversationDoc, "_id" | "system" | "summary" | "givenTurns">,
    model: ModelSpec,
    promptTokens: number,
  ): Promise<BuiltContext> {
    const { turns } = await deps.history.load(conversation._id, query.seq, model.contextWindow);
    const summary = conversation.summary
      ? { text: conversation.summary.text, throughSeq: conversation.summary.throughSeq }
      : null;
    const built = buildContext({
      model,
      system: conversation.system,
      summary,
      turns: conversation.givenTurns ? [...givenTurns(conversation.givenTurns, model), ...turns] : turns,
      prompt: query.prompt,
      promptTokens,
      maxTokens: query.params.maxTokens ?? model.defaultMaxTokens,
    });

    // `prompt` is content: the logger writes it only when LOG_CONTENT is on, [redacted] otherwise.
    deps.logger.debug(
      {
        turns: built.includedTurns,
        inputTokens: built.inputTokens,
        droppedThroughSeq: built.droppedThroughSeq,
        prompt: built.prompt,
      },
      "prompt built",
    );
    if (deps.summaryEnabled) {
      const covered = summary?.throughSeq ?? -1;
      let through = built.droppedThroughSeq ?? -1;
      // A history at its turn cap may have older turns behind it that no prompt carries any more.
      const oldest = turns[0]?.seq;
      if (turns.length >= deps.maxTurns && oldest !== undefined) through = Math.max(through, oldest - 1);
      if (through > covered) await requestSummary(conversation._id, through);
    }
    return built;
  };
}

export type PromptBuilder = ReturnType<typeof createPromptBuilder>;
