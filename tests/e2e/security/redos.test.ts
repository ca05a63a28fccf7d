import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

const SIZE = 32_000; // the longest prompt the API takes

describe("attack: stall the API's event loop with a prompt built against marker neutralising", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  // A ratio, not a time: both prompts are the same size and are sent in turns, so a busy
  // machine slows both alike. A quadratic pattern made the attack about 36 times slower than
  // the benign prompt at 30,000 characters (900 ms against 25 ms); linear ones keep the two
  // close. The structure that makes them linear is checked in packages/llm/test/neutralise.test.ts.
  it("accepts a prompt of '<<' and spaces about as fast as the same spaces without '<<'", async () => {
    const { key } = await register(system.api.url);
    const spaces = " ".repeat(SIZE - 4);
    const prompts = { attack: `<<${spaces}xy`, benign: `xx${spaces}xy` };
    const timeOf = async (prompt: string) => {
      const started = performance.now();
      const res = await call(system.api.url, "/v1/queries", { key, json: { prompt } });
      expect([202, 422]).toContain(res.status);
      return performance.now() - started;
    };
    const best = { attack: Number.POSITIVE_INFINITY, benign: Number.POSITIVE_INFINITY };
    for (let round = 0; round < 3; round++) {
      best.benign = Math.min(best.benign, await timeOf(prompts.benign));
      best.attack = Math.min(best.attack, await timeOf(prompts.attack));
    }
    expect(best.attack).toBeLessThan(best.benign * 5 + 100);
  });
});
