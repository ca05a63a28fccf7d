import { describe, expect, it } from "vitest";
import { eventually, WaitTimeoutError } from "../src/index.js";

describe("eventually", () => {
  it("resolves with the first answer that is neither undefined, null nor false", async () => {
    let asks = 0;
    const value = await eventually(
      "the third ask",
      () => {
        asks += 1;
        return asks === 3 ? "ready" : asks === 1 ? null : false;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe("ready");
    expect(asks).toBe(3);
  });

  it("waits for an async probe", async () => {
    let asks = 0;
    const value = await eventually("an async answer", async () => (++asks >= 2 ? { asks } : undefined), {
      intervalMs: 1,
    });
    expect(value).toEqual({ asks: 2 });
  });

  it("rejects after the timeout with a WaitTimeoutError naming what was awaited", async () => {
    const waited = eventually("a thing that never happens", () => false, { timeoutMs: 50, intervalMs: 5 });
    await expect(waited).rejects.toThrow("timed out after 50 ms waiting for a thing that never happens");
    await expect(waited).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it("ends the wait at once when the probe throws", async () => {
    let asks = 0;
    const waited = eventually("a probe that breaks", () => {
      asks += 1;
      throw new Error("broken probe");
    });
    await expect(waited).rejects.toThrow("broken probe");
    expect(asks).toBe(1);
  });
});
