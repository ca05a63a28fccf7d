import { describe, expect, it } from "vitest";
import {
  type BreakerState,
  CircuitOpenError,
  type Generation,
  type GenerationRequest,
  HALF_OPEN_RECHECK_MS,
  ProviderError,
  withCircuitBreaker,
} from "../src/index.js";

// The breaker never looks inside the request: any will do.
const request = { prompt: "hi", messages: [], params: {} } as unknown as GenerationRequest;
const answer: Generation = { output: "ok", inputTokens: 1, outputTokens: 1, predictTimeMs: 1 };
const RESET_MS = 200;

/** A provider whose calls answer as the test says, and a breaker around it that trips on two outages in a row. */
function guarded() {
  const pending: Array<{ resolve: (g: Generation) => void; reject: (e: unknown) => void }> = [];
  const states: BreakerState[] = [];
  const waiters: Array<{ state: BreakerState; resolve: () => void }> = [];
  const provider = withCircuitBreaker(
    {
      name: "stand-in",
      generate: () => new Promise<Generation>((resolve, reject) => pending.push({ resolve, reject })),
    },
    {
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
      resetTimeoutMs: RESET_MS,
      onStateChange: (_name, state) => {
        states.push(state);
        for (const w of waiters.filter((w) => w.state === state)) w.resolve();
      },
    },
  );
  const reached = (state: BreakerState) =>
    new Promise<void>((resolve) => {
      if (states.at(-1) === state) resolve();
      else waiters.push({ state, resolve });
    });
  /** Starts a call and answers it with an outage. */
  const outage = async () => {
    const call = provider.generate(request);
    pending.shift()?.reject(new ProviderError("unavailable", "provider answered HTTP 500", 500));
    await call.catch(() => undefined);
  };
  return { provider, pending, reached, outage };
}

describe("circuit breaker", () => {
  it("lets calls through and names no pause while the circuit is closed", async () => {
    const { provider, pending } = guarded();
    expect(provider.pausedUntil()).toBeNull();
    const call = provider.generate(request);
    pending.shift()?.resolve(answer);
    await expect(call).resolves.toEqual(answer);
  });

  it("refuses calls once open with a CircuitOpenError saying when it will let one through", async () => {
    const { provider, pending, reached, outage } = guarded();
    const before = Date.now();
    await outage();
    await outage();
    await reached("open");
    const refused = await provider.generate(request).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    const retryAt = (refused as CircuitOpenError).retryAt;
    expect(retryAt).toBeGreaterThanOrEqual(before + RESET_MS);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + RESET_MS);
    expect(provider.pausedUntil()).toBe(retryAt);
    // Nothing reached the provider.
    expect(pending).toHaveLength(0);
  });

  it("sends one trial call when half-open and holds the others back until its verdict", async () => {
    const { provider, pending, reached, outage } = guarded();
    await outage();
    await outage();
    await reached("half-open");
    expect(provider.pausedUntil()).toBeNull();
    const trial = provider.generate(request);
    const now = Date.now();
    expect(provider.pausedUntil(now)).toBe(now + HALF_OPEN_RECHECK_MS);
    await expect(provider.generate(request)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(pending).toHaveLength(1);
    pending.shift()?.resolve(answer);
    await expect(trial).resolves.toEqual(answer);
    expect(provider.pausedUntil()).toBeNull();
  });

  it("does not count a refused request, a failed prediction or a rate limit as an outage", async () => {
    const { provider, pending } = guarded();
    for (const kind of ["rejected", "model_failed", "rate_limited"] as const) {
      for (let i = 0; i < 3; i++) {
        const call = provider.generate(request);
        pending.shift()?.reject(new ProviderError(kind, kind));
        await expect(call).rejects.toBeInstanceOf(ProviderError);
      }
    }
    expect(provider.pausedUntil()).toBeNull();
  });
});
