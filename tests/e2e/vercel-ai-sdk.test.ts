import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { Query } from "@llm-chat/contracts";
import { APICallError, generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

describe("the OpenAI-compatible API driven by the Vercel AI SDK", () => {
  let system: System;
  let url: string;
  let key: string;
  const prompts = () => system.standIn.inputs.map((i) => String(i.input.prompt));

  beforeAll(async () => {
    system = await startSystem({ standIn: { latencyMs: 50, tokenDelayMs: 30 } });
    url = system.api.url;
    key = (await register(url)).key;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const provider = () =>
    createOpenAICompatible({ name: "llm-chat", baseURL: `${url}/v1`, apiKey: key, includeUsage: true });

  it("answers generateText with the model's text, usage and a stop reason, given only baseURL and apiKey", async () => {
    const result = await generateText({
      model: provider()("llama2"),
      system: "Be brief.",
      prompt: "Hello from the AI SDK",
      maxRetries: 0,
    });
    expect(result.text).toBe("You said: Hello from the AI SDK");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(prompts().at(-1)).toBe("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello from the AI SDK [/INST]");
    const id = result.response.id;
    expect(id).toMatch(/^qry_/);
    expect((await call<Query>(url, `/v1/queries/${id}`, { key })).body.status).toBe("succeeded");
  });

  it("streams streamText in more than one piece that add up to the answer, with usage at the end", async () => {
    const result = streamText({ model: provider()("mistral"), prompt: "Stream this sentence back", maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.join("")).toBe("You said: Stream this sentence back");
    expect(pieces.filter((p) => p !== "").length).toBeGreaterThan(1);
    expect(await result.finishReason).toBe("stop");
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it("fails with the SDK's APICallError carrying the status when the model is unknown", async () => {
    const error = await generateText({ model: provider()("no-such-model"), prompt: "hi", maxRetries: 0 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(APICallError.isInstance(error) ? error.statusCode : 0).toBe(404);
  });
});
