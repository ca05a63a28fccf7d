import { startReplicateStandIn } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplicateProvider, ProviderError } from "../src/index.js";

describe("the Replicate provider against the stand-in", () => {
  let standIn: Awaited<ReturnType<typeof startReplicateStandIn>>;
  let provider: ReturnType<typeof createReplicateProvider>;

  beforeAll(async () => {
    standIn = await startReplicateStandIn({ latencyMs: 30 });
    provider = createReplicateProvider({ apiToken: "t", baseUrl: standIn.url, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("returns the joined tokens and the prediction's token counts", async () => {
    const result = await provider.generate({
      model: "meta/llama-2-7b-chat",
      input: { prompt: "[INST] hello [/INST]" },
    });
    expect(result.output).toBe("You said: hello");
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(standIn.inputs.at(-1)?.model).toBe("meta/llama-2-7b-chat");
  });

  it("polls a prediction that outlasts the synchronous wait", async () => {
    const slow = createReplicateProvider({
      apiToken: "t",
      baseUrl: standIn.url,
      pollIntervalMs: 20,
      syncWaitSeconds: 1,
    });
    const result = await slow.generate({ model: "a/b", input: { prompt: "[INST] later [[slow:1500]] [/INST]" } });
    expect(result.output).toContain("later");
    expect(standIn.counts.gets).toBeGreaterThan(0);
  });

  it("cancels the upstream prediction when the caller aborts while polling", async () => {
    const slow = createReplicateProvider({
      apiToken: "t",
      baseUrl: standIn.url,
      pollIntervalMs: 20,
      syncWaitSeconds: 1,
    });
    const cancelsBefore = standIn.counts.cancels;
    const run = slow.generate({
      model: "a/b",
      input: { prompt: "[[slow:10000]]" },
      signal: AbortSignal.timeout(1500),
    });
    await expect(run).rejects.toThrow();
    expect(standIn.counts.cancels).toBe(cancelsBefore + 1);
    const last = [...standIn.predictions.values()].at(-1);
    expect(last?.status).toBe("canceled");
  });

  it("reports a failed prediction as model_failed", async () => {
    const run = provider.generate({ model: "a/b", input: { prompt: "[[fail]]" } });
    await expect(run).rejects.toBeInstanceOf(ProviderError);
    await expect(run).rejects.toMatchObject({ kind: "model_failed" });
  });
});
