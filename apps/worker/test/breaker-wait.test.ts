import { describe, expect, it } from "vitest";
import { waitForBreaker } from "../src/breaker-wait.js";

describe("waiting for a provider's circuit breaker", () => {
  const now = 1_000_000;

  it("pauses the query until the breaker lets a call through, staggered by the spread", () => {
    expect(waitForBreaker(now + 10_000, now + 300_000, now, 250)).toEqual({ kind: "pause", until: now + 10_250 });
  });

  it("looks again at once (plus the spread) when the moment to retry has already come", () => {
    expect(waitForBreaker(now - 5, now + 300_000, now, 40)).toEqual({ kind: "pause", until: now + 40 });
  });

  it("gives up when the breaker would let a call through only at or after the query's deadline", () => {
    expect(waitForBreaker(now + 10_000, now + 10_000, now, 0)).toEqual({ kind: "give-up" });
    expect(waitForBreaker(now + 9_900, now + 10_000, now, 200)).toEqual({ kind: "give-up" });
  });
});
