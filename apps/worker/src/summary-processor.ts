import { summaryJobSchema } from "@llm-chat/contracts";
import {
  countTokens,
  formatChat,
  formatMessages,
  type ModelRegistry,
  type ModelSpec,
  neutraliseMarkers,
  type Providers,
  promptBudget,
} from "@llm-chat/llm";
import type { Logger } from "@llm-chat/runtime";
import type { Store, Turn } from "@llm-chat/store";
import { type Job, UnrecoverableError } from "bullmq";

export interface SummaryProcessorDeps {
  store: Store;
  models: ModelRegistry;
  providers: Providers;
  logger: Logger;
  maxTokens: number;
}

const INSTRUCTIONS =
  "You keep the running summary of a conversation between a user and an assistant. " +
  "Merge the previous summary and the new turns into one concise summary that keeps names, " +
  "facts, numbers, decisions and open questions. Reply with the summary only.";

function transcript(previous: string | null, turns: readonly Turn[]): string {
  const lines = turns.map((t) => `User: ${t.user}\nAssistant: ${t.assistant}`).join("\n\n");
  return `Previous summary:\n${previous ?? "(none yet)"}\n\nNew turns:\n${lines}`;
}

/** The oldest turns whose transcript fits the model's window beside the instructions and answer. */
function fittingTurns(model: ModelSpec, previous: string | null, turns: readonly Turn[], maxTokens: number): Turn[] {
  const budget = promptBudget(model, maxTokens) - countTokens(model.tokenizer, INSTRUCTIONS) - 64;
  let used = countTokens(model.tokenizer, neutraliseMarkers(previous ?? ""));
  const fitting: Turn[] = [];
  for (const turn of turns) {
    used += turn.userTokens + turn.assistantTokens + 8;
    if (used > budget) break;
    fitting.push(turn);
  }
  return fitting;
}

/**
 * Folds turns that fell out of the prompt window into the conversation's running summary,
 * a window-sized chunk at a time, so a 100-turn conversation keeps what was said early.
 */
export function createSummaryProcessor(deps: SummaryProcessorDeps) {
  return async function processSummary(
    job: Job,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<{ throughSeq: number }> {
    const parsed = summaryJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("invalid job payload");
    const { conversationId, throughSeq } = parsed.data;

    let conversation = await deps.store.conversations.findById(conversationId);
    const model = conversation ? deps.models.get(conversation.model) : undefined;
    if (!conversation || !model) return { throughSeq: -1 };

    while ((conversation.summary?.throughSeq ?? -1) < throughSeq) {
      const previous = conversation.summary ?? null;
      const from = (previous?.throughSeq ?? -1) + 1;
      const pending = await deps.store.messages.turnsBetween(conversationId, from, throughSeq);
      const chunk = fittingTurns(model, previous?.text ?? null, pending, deps.maxTokens);
      const last = chunk[chunk.length - 1];
      // Seqs without a turn (failed queries) are covered too: there is nothing in them to keep.
      const coveredThrough = last && chunk.length < pending.length ? last.seq : throughSeq;
      let text = previous?.text ?? "";
      if (chunk.length > 0) {
        const input = { system: INSTRUCTIONS, history: [], prompt: transcript(previous?.text ?? null, chunk) };
        const generation = await deps.providers.generate({
          model,
          prompt: model.template === "messages" ? "" : formatChat(model.template, input),
          messages: model.template === "messages" ? formatMessages(input) : [],
          params: { maxTokens: deps.maxTokens, temperature: 0.2 },
          signal,
        });
        text = generation.output;
      }
      await deps.store.conversations.setSummary(conversationId, {
        text,
        throughSeq: coveredThrough,
        updatedAt: new Date(),
      });
      deps.logger.info({ conversationId, throughSeq: coveredThrough, turns: chunk.length }, "summary updated");
      const reloaded = await deps.store.conversations.findById(conversationId);
      if (!reloaded) break;
      conversation = reloaded;
    }
    return { throughSeq: conversation.summary?.throughSeq ?? -1 };
  };
}
