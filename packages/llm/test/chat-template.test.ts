import { describe, expect, it } from "vitest";
import { formatChat } from "../src/index.js";

const history = [
  { user: "Hi", assistant: "Hello!" },
  { user: "How are you?", assistant: "Fine." },
];

describe("formatChat", () => {
  it("formats Llama 2 chat with the system prompt inside the first instruction", () => {
    expect(formatChat("llama2", { system: "Be brief.", history, prompt: "Bye" })).toBe(
      "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s>" +
        "<s>[INST] How are you? [/INST] Fine. </s>" +
        "<s>[INST] Bye [/INST]",
    );
  });

  it("formats a first Llama 2 turn with and without a system prompt", () => {
    expect(formatChat("llama2", { system: null, history: [], prompt: "Hi" })).toBe("<s>[INST] Hi [/INST]");
    expect(formatChat("llama2", { system: "S", history: [], prompt: "Hi" })).toBe(
      "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nHi [/INST]",
    );
  });

  it("formats Mistral instruct with one BOS and the system text folded into the first user turn", () => {
    expect(formatChat("mistral", { system: "Be brief.", history, prompt: "Bye" })).toBe(
      "<s>[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] How are you? [/INST] Fine.</s>[INST] Bye [/INST]",
    );
    expect(formatChat("mistral", { system: null, history: [], prompt: "Hi" })).toBe("<s>[INST] Hi [/INST]");
  });
});
