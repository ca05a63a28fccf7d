import llamaTokenizer from "llama-tokenizer-js";
import mistralTokenizer from "mistral-tokenizer-js";
import { describe, expect, it } from "vitest";
import {
  buildContext,
  type CountedTurn,
  countTokens,
  createModelRegistry,
  formatChat,
  maxTokensFor,
  PromptTooLargeError,
} from "../src/index.js";

const registry = createModelRegistry({ llama2ModelPath: "meta/llama-2-7b-chat", mistralModelPath: "m/m" });
const llama2 = registry.get("llama2");
const mistral = registry.get("mistral");
if (!llama2 || !mistral) throw new Error("default models missing");

describe("countTokens", () => {
  it("matches the models' own tokenizers", () => {
    const text = "The capital of France is Paris. ¿Y la de España? 東京!";
    expect(countTokens("llama", text)).toBe(llamaTokenizer.encode(text, false, true).length);
    expect(countTokens("mistral", text)).toBe(mistralTokenizer.encode(text, false, true).length);
    // Known values from the Llama vocabulary: "Hello world" is ▁Hello ▁world.
    expect(llamaTokenizer.encode("Hello world", false, true)).toEqual([15043, 3186]);
    expect(countTokens("llama", "Hello world")).toBe(2);
    expect(countTokens("llama", "")).toBe(0);
  });

  it("has a byte-count upper bound that never undercounts", () => {
    for (const text of ["a", "Hello world", "東京タワー", "x".repeat(5000), "🙂🙂 mixed ascii"]) {
      expect(maxTokensFor(text)).toBeGreaterThanOrEqual(countTokens("llama", text));
      expect(maxTokensFor(text)).toBeGreaterThanOrEqual(countTokens("mistral", text));
    }
  });
});

const sentence = (i: number) => `Turn ${i}: ${"the quick brown fox jumps over the lazy dog ".repeat(20)}`;

function turns(count: number, tokenizer: "llama" | "mistral"): CountedTurn[] {
  return Array.from({ length: count }, (_, seq) => {
    const user = sentence(seq);
    const assistant = `Answer ${seq}. ${"noted ".repeat(30)}`;
    return {
      seq,
      user,
      assistant,
      userTokens: countTokens(tokenizer, user),
      assistantTokens: countTokens(tokenizer, assistant),
    };
  });
}

describe("buildContext", () => {
  for (const model of [llama2, mistral]) {
    it(`keeps a ${model.id} prompt within the window minus the answer budget, dropping the oldest turns`, () => {
      const history = turns(model.id === "llama2" ? 40 : 300, model.tokenizer);
      const prompt = "And now the newest question?";
      const built = buildContext({
        model,
        system: "You are helpful.",
        summary: null,
        turns: history,
        prompt,
        promptTokens: countTokens(model.tokenizer, prompt),
        maxTokens: 512,
      });
      const exact = countTokens(model.tokenizer, built.prompt);
      expect(exact).toBeLessThanOrEqual(model.contextWindow - 512);
      expect(built.inputTokens).toBeGreaterThanOrEqual(exact);
      // Not wasteful: the estimate is within a few percent of the truth.
      expect(built.inputTokens - exact).toBeLessThan(0.05 * exact);
      expect(built.includedTurns).toBeGreaterThan(0);
      expect(built.includedTurns).toBeLessThan(history.length);
      expect(built.droppedThroughSeq).toBe(history.length - built.includedTurns - 1);
      expect(built.prompt).toContain("You are helpful.");
      expect(built.prompt.endsWith(`${prompt} [/INST]`)).toBe(true);
      expect(built.prompt).toContain(`Turn ${history.length - 1}:`);
      expect(built.prompt).not.toContain("Turn 0:");
    });
  }

  it("includes every turn and drops nothing when all fit", () => {
    const built = buildContext({
      model: llama2,
      system: null,
      summary: null,
      turns: turns(2, "llama"),
      prompt: "q",
      promptTokens: 1,
      maxTokens: 512,
    });
    expect(built.includedTurns).toBe(2);
    expect(built.droppedThroughSeq).toBeNull();
    expect(built.prompt).toBe(formatChat("llama2", { system: null, history: turns(2, "llama"), prompt: "q" }));
  });

  it("leaves out turns the summary covers and carries the summary instead", () => {
    const built = buildContext({
      model: llama2,
      system: "S",
      summary: { text: "Earlier we talked about foxes.", throughSeq: 1 },
      turns: turns(3, "llama"),
      prompt: "q",
      promptTokens: 1,
      maxTokens: 512,
    });
    expect(built.includedTurns).toBe(1);
    expect(built.prompt).toContain("Summary of the earlier conversation:\nEarlier we talked about foxes.");
    expect(built.prompt).not.toContain("Turn 1:");
    expect(built.prompt).toContain("Turn 2:");
  });

  it("refuses a prompt that cannot fit with its answer budget, saying how many tokens fit", () => {
    const huge = "word ".repeat(5000);
    const run = () =>
      buildContext({
        model: llama2,
        system: null,
        summary: null,
        turns: [],
        prompt: huge,
        promptTokens: countTokens("llama", huge),
        maxTokens: 512,
      });
    expect(run).toThrow(PromptTooLargeError);
    try {
      run();
    } catch (error) {
      expect((error as PromptTooLargeError).fits).toBe(4096 - 512);
      expect((error as PromptTooLargeError).tokens).toBeGreaterThan(5000);
    }
  });
});
