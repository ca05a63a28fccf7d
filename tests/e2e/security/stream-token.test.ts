import type { Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

describe("attack: collect the Replicate token by naming another host in a prediction's urls.stream", () => {
  let system: System;

  beforeAll(async () => {
    // The stand-in serves streams from a second port: another origin than REPLICATE_BASE_URL,
    // as stream.replicate.com is to api.replicate.com (and as an attacker's host would be).
    system = await startSystem({ standIn: { streamOrigin: "separate", tokenDelayMs: 20 } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("reads a stream on another origin without the token, and still streams the answer", async () => {
    const apiOrigin = new URL(system.standIn.url).origin;
    expect(system.standIn.streamOrigin).not.toBe(apiOrigin);

    const { key } = await register(system.api.url);
    const submitted = await call<Query>(system.api.url, "/v1/queries", {
      key,
      json: { prompt: "stream me a few words please" },
    });
    expect(submitted.status).toBe(202);
    const done = await waitForQuery(system.api.url, key, submitted.body.id);
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("You said: stream me a few words please");

    const streams = system.standIn.streamRequests;
    expect(streams.length).toBeGreaterThan(0);
    for (const request of streams) {
      expect(request.origin).toBe(system.standIn.streamOrigin);
      expect(request.authorization).toBeNull();
    }
    // The configured API origin, which admits only requests with a token, took the create.
    expect(system.standIn.inputs.at(-1)?.outcome).toBe("created");
  });
});
