import { startReplicateStandIn } from "@llm-chat/testkit";
import { describe, expect, it } from "vitest";
import { createModelRegistry, type ModelSpec } from "../src/index.js";
import { createReplicateProvider } from "../src/replicate-provider.js";
import { streamAuthorization } from "../src/stream-authorization.js";

describe("streamAuthorization", () => {
  const api = "https://api.replicate.com/v1";

  it("gives the token to a stream on the API's own origin", () => {
    expect(streamAuthorization("https://api.replicate.com/v1/predictions/p1/stream", api, "r8_x")).toBe("Bearer r8_x");
    expect(streamAuthorization("https://API.replicate.com:443/v1/x", api, "r8_x")).toBe("Bearer r8_x");
  });

  it.each([
    "https://stream.replicate.com/v1/streams/abc",
    "http://api.replicate.com/v1/predictions/p1/stream",
    "https://api.replicate.com:8443/v1/predictions/p1/stream",
    "https://api.replicate.com.attacker.example/v1/x",
    "https://attacker.example/?https://api.replicate.com",
    "data:text/event-stream,hi",
    "not a url",
  ])("withholds it from %s", (url) => {
    expect(streamAuthorization(url, api, "r8_x")).toBeNull();
  });
});

describe("the Replicate provider with streams on another origin", () => {
  const llama2 = createModelRegistry({ llama2ModelPath: "meta/llama-2-7b-chat", mistralModelPath: "m/m" }).get(
    "llama2",
  ) as ModelSpec;

  it.each(["same", "separate"] as const)(
    "sends the token to a %s-origin stream only when it is the API's",
    async (where) => {
      const standIn = await startReplicateStandIn({ latencyMs: 30, streamOrigin: where });
      try {
        const provider = createReplicateProvider({ apiToken: "t0ken", baseUrl: standIn.url, pollIntervalMs: 20 });
        const deltas: string[] = [];
        const result = await provider.generate({
          model: llama2,
          prompt: "[INST] two origins [/INST]",
          messages: [],
          params: {},
          onDelta: (d) => deltas.push(d),
        });
        expect(result.output).toBe("You said: two origins");
        expect(deltas.join("")).toBe("You said: two origins");
        expect(standIn.streamRequests).toEqual([
          { origin: standIn.streamOrigin, authorization: where === "same" ? "Bearer t0ken" : null },
        ]);
      } finally {
        await standIn.close();
      }
    },
  );
});
