import type { SubmitQueryBody } from "@llm-chat/contracts";
import { buildContext, countTokens, type ModelSpec, maxTokensFor, PromptTooLargeError } from "@llm-chat/llm";
import { bodyField, DomainError } from "./domain-error.js";

/**
 * Refuses at submit a prompt that could never fit the model's window beside its answer
 * budget, rather than accepting a query that must fail. The byte bound settles almost
 * every prompt without tokenizing; only long ones are counted exactly.
 */
export function assertPromptFits(model: ModelSpec, system: string | null, body: SubmitQueryBody): void {
  const maxTokens = body.params?.maxTokens ?? model.defaultMaxTokens;
  if (maxTokens >= model.contextWindow) {
    throw new DomainError(
      "invalid_input",
      `maxTokens must be below the model's window of ${model.contextWindow}`,
      bodyField("/params/maxTokens", `at most ${model.contextWindow - 1} for ${model.id}`),
    );
  }
  const roughBound = maxTokensFor(body.prompt) + maxTokensFor(system ?? "") + 64;
  if (roughBound <= model.contextWindow - maxTokens) return;
  try {
    buildContext({
      model,
      system,
      summary: null,
      turns: [],
      prompt: body.prompt,
      promptTokens: countTokens(model.tokenizer, body.prompt),
      maxTokens,
    });
  } catch (error) {
    if (!(error instanceof PromptTooLargeError)) throw error;
    throw new DomainError(
      "prompt_too_large",
      `the prompt takes ${error.tokens} tokens with the system prompt; ${model.id} fits ${error.fits} beside an answer of ${maxTokens}`,
      bodyField("/prompt", `${error.tokens} tokens; at most ${error.fits} fit`),
    );
  }
}
