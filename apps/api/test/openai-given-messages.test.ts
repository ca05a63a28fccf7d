import { describe, expect, it } from "vitest";
import { toGivenContext } from "../src/openai/given-messages.js";
import { OpenAiError } from "../src/openai/openai-error.js";

const refusal = (fn: () => unknown): OpenAiError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OpenAiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("turning OpenAI messages into llm-chat's context", () => {
  it("gathers system and developer messages wherever they stand, pairs turns and takes the last user message as the prompt", () => {
    const context = toGivenContext(
      [
        { role: "system", text: "Be terse." },
        { role: "user", text: "Hi" },
        { role: "assistant", text: "Hello" },
        { role: "developer", text: "Answer in French." },
        { role: "user", text: "How are you?" },
      ],
      "messages",
    );
    expect(context).toEqual({
      system: "Be terse.\n\nAnswer in French.",
      turns: [{ user: "Hi", assistant: "Hello" }],
      prompt: "How are you?",
    });
  });

  it("joins consecutive messages of one role and keeps an opening assistant message as a turn without a user part", () => {
    const context = toGivenContext(
      [
        { role: "assistant", text: "Welcome!" },
        { role: "assistant", text: "Ask me anything." },
        { role: "user", text: "First" },
        { role: "user", text: "Second" },
      ],
      "input",
    );
    expect(context.turns).toEqual([{ user: "", assistant: "Welcome!\n\nAsk me anything." }]);
    expect(context.prompt).toBe("First\n\nSecond");
    expect(context.system).toBeNull();
  });

  it("refuses a chat that does not end with the user, or ends with an empty message, naming the parameter", () => {
    const endsWithAssistant = refusal(() =>
      toGivenContext(
        [
          { role: "user", text: "Hi" },
          { role: "assistant", text: "Hello" },
        ],
        "messages",
      ),
    );
    expect([endsWithAssistant.status, endsWithAssistant.param]).toEqual([400, "messages"]);
    expect(refusal(() => toGivenContext([{ role: "system", text: "only" }], "input")).param).toBe("input");
    const empty = refusal(() =>
      toGivenContext(
        [
          { role: "system", text: "s" },
          { role: "user", text: " \n" },
        ],
        "messages",
      ),
    );
    expect(empty.param).toBe("messages[1].content");
    expect(refusal(() => toGivenContext([{ role: "user", text: "x".repeat(32_001) }], "messages")).param).toBe(
      "messages[0].content",
    );
  });
});
