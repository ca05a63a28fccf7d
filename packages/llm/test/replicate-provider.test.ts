import { defaultReply, startReplicateStandIn } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createModelRegistry,
  createReplicateProvider,
  type ModelSpec,
  type Provider,
  ProviderError,
} from "../src/index.js";

const registry = createModelRegistry({ llama2ModelPath: "meta/llama-2-7b-chat", mistralModelPath: "m/m" });
const llama2 = registry.get("llama2") as ModelSpec;

describe("the Replicate provider against the stand-in", () => {
  let standIn: Awaited<ReturnType<typeof startReplicateStandIn>>;
  let provider: Provider;
  const ask = (prompt: string, extra: { signal?: AbortSignal; deadline?: Date; onDelta?: (d: string) => void } = {}) =>
    provider.generate({ model: llama2, prompt, messages: [], params: {}, ...extra });

  beforeAll(async () => {
    standIn = await startReplicateStandIn({ latencyMs: 30 });
    provider = createReplicateProvider({ apiToken: "t", baseUrl: standIn.url, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("streams the answer and returns the joined text with the prediction's token counts", async () => {
    const deltas: string[] = [];
    const result = await ask("[INST] hello there [/INST]", { onDelta: (d) => deltas.push(d) });
    expect(result.output).toBe("You said: hello there");
    expect(deltas.join("")).toBe("You said: hello there");
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.outputTokens).toBeGreaterThan(0);
    const sent = standIn.inputs.at(-1);
    expect(sent?.model).toBe("meta/llama-2-7b-chat");
    expect(sent?.input.prompt_template).toBe("{prompt}");
    expect(sent?.input.max_new_tokens).toBe(512);
  });

  it("polls a prediction when no one listens to its stream", async () => {
    const result = await ask("[INST] later [/INST]");
    expect(result.output).toBe("You said: later");
  });

  it("cancels the upstream prediction when the caller aborts mid-stream", async () => {
    const cancelsBefore = standIn.counts.cancels;
    const run = ask("[[slow:10000]]", { signal: AbortSignal.timeout(600), onDelta: () => undefined });
    await expect(run).rejects.toThrow();
    expect(standIn.counts.cancels).toBe(cancelsBefore + 1);
    expect([...standIn.predictions.values()].at(-1)?.status).toBe("canceled");
  });

  it("cancels the prediction whose create was in flight when the caller aborted", async () => {
    const caller = new AbortController();
    const cancelsBefore = standIn.counts.cancels;
    // The stand-in computes the reply while it handles the create: abort right there, before
    // the create is answered, so the abort lands with the request in flight.
    standIn.setBehaviour({
      reply: () => {
        caller.abort(new Error("canceled by its owner"));
        return "never read";
      },
    });
    try {
      const run = ask("[[slow:10000]] in flight", { signal: caller.signal, onDelta: () => undefined });
      await expect(run).rejects.toThrow("canceled by its owner");
    } finally {
      standIn.setBehaviour({ reply: defaultReply });
    }
    expect(standIn.counts.cancels).toBe(cancelsBefore + 1);
    expect([...standIn.predictions.values()].at(-1)?.status).toBe("canceled");
  });

  it("creates no prediction for a caller that aborted before the create", async () => {
    const createsBefore = standIn.counts.creates;
    const run = ask("[INST] too late [/INST]", { signal: AbortSignal.abort(new Error("gone")) });
    await expect(run).rejects.toThrow("gone");
    expect(standIn.counts.creates).toBe(createsBefore);
  });

  it("reports a failed prediction as model_failed and a non-text output as malformed", async () => {
    await expect(ask("[[fail]]")).rejects.toMatchObject({ kind: "model_failed" });
    await expect(ask("[[malformed]]")).rejects.toBeInstanceOf(ProviderError);
    await expect(ask("[[malformed]]")).rejects.toMatchObject({ kind: "malformed" });
  });

  it("waits for the shared rate budget before each create", async () => {
    let taken = 0;
    const limited = createReplicateProvider({
      apiToken: "t",
      baseUrl: standIn.url,
      pollIntervalMs: 20,
      rateLimit: {
        take: async () => {
          taken += 1;
        },
      },
    });
    await limited.generate({ model: llama2, prompt: "x", messages: [], params: {} });
    expect(taken).toBe(1);
  });
});
