import type { SubmitQueryBody } from "@llm-chat/contracts";
import { buildContext, countTokens, type ModelSpec, maxTokensFor, PromptTooLargeError } from "@llm-chat/llm";
import { HttpProblem } from "./http/problem.js";

/**
 * Refuses at submit a prompt that could never fit the model's window beside its answer
 * budget, rather than accepting a query that must fail. The byte bound settles almost
 * every prompt without tokenizing; only long ones are counted exactly.
 */
export function assertPromptFits(model: ModelSpec, system: string | null, body: SubmitQueryBody): void {
  const maxTokens = body.params?.maxTokens ?? model.defaultMaxTokens;
  if (maxTokens >= model.contextWindow) {
    throw new HttpProblem(
      422,
      "Validation failed",
      `maxTokens must be below the model's window of ${model.contextWindow}`,
      [{ in: "body", pointer: "/params/maxTokens", message: `at most ${model.contextWindow - 1} for ${model.id}` }],
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
    throw new HttpProblem(
      422,
      "Prompt too large",
      `the prompt takes ${error.tokens} tokens with the system prompt; ${model.id} fits ${error.fits} beside an answer of ${maxTokens}`,
      [{ in: "body", pointer: "/prompt", message: `${error.tokens} tokens; at most ${error.fits} fit` }],
    );
  }
}
