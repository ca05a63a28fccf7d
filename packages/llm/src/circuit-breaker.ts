import CircuitBreaker from "opossum";
import { CircuitOpenError } from "./circuit-open-error.js";
import type { Generation, GenerationRequest, Provider } from "./provider.js";
import { ProviderError } from "./provider-error.js";

export type BreakerState = "closed" | "half-open" | "open";

export interface BreakerConfig {
  /** Failure share (percent) within the rolling window that opens the circuit. */
  errorThresholdPercentage: number;
  /** Calls in the window before the share counts (a single failure never opens it). */
  volumeThreshold: number;
  /** How long the circuit stays open before one trial call goes through. */
  resetTimeoutMs: number;
  onStateChange?: (provider: string, state: BreakerState) => void;
}

/** A provider behind a breaker, which can say when it will take calls again. */
export interface GuardedProvider extends Provider {
  /** Epoch ms before which calls would be refused, or null when a call may go now. */
  pausedUntil(now?: number): number | null;
}

/**
 * While the trial call of a half-open breaker is out, others look again after this long:
 * the trial may take as long as a whole generation, so there is no moment to wait for.
 */
export const HALF_OPEN_RECHECK_MS = 1000;

/**
 * Wraps a provider in a circuit breaker (opossum): when most recent calls found the provider
 * unavailable, further calls are refused at once (CircuitOpenError, saying until when),
 * sparing the provider a stampede; after `resetTimeoutMs` one trial call decides whether to
 * close it again. Only outages count; a refused request, a failed prediction, a 429 or our
 * own abort do not. A refusal is not the provider's answer: callers wait, they do not fail.
 */
export function withCircuitBreaker(provider: Provider, config: BreakerConfig): GuardedProvider {
  const breaker = new CircuitBreaker((request: GenerationRequest) => provider.generate(request), {
    timeout: false, // generations take as long as they take; deadlines are the job's business
    errorThresholdPercentage: config.errorThresholdPercentage,
    volumeThreshold: config.volumeThreshold,
    resetTimeout: config.resetTimeoutMs,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    errorFilter: (error: unknown) => !(error instanceof ProviderError && error.kind === "unavailable"),
  });
  // opossum does not say when it will half-open (its own timestamp is set once, at
  // construction): keep it here.
  let openedAt = 0;
  const report = (state: BreakerState) => () => config.onStateChange?.(provider.name, state);
  breaker.on("open", () => {
    openedAt = Date.now();
  });
  breaker.on("open", report("open"));
  breaker.on("halfOpen", report("half-open"));
  breaker.on("close", report("closed"));

  function pausedUntil(now = Date.now()): number | null {
    if (breaker.closed) return null;
    if (breaker.opened) return Math.max(openedAt + config.resetTimeoutMs, now);
    // Half-open: the first call is the trial; once it is out, the rest wait for its verdict.
    return breaker.pendingClose ? null : now + HALF_OPEN_RECHECK_MS;
  }

  return {
    name: provider.name,
    pausedUntil,
    async generate(request: GenerationRequest): Promise<Generation> {
      try {
        return await breaker.fire(request);
      } catch (error) {
        if (error instanceof Error && (error as { code?: string }).code === "EOPENBREAKER") {
          throw new CircuitOpenError(provider.name, pausedUntil() ?? Date.now());
        }
        throw error;
      }
    },
  };
}
