import CircuitBreaker from "opossum";
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

/**
 * Wraps a provider in a circuit breaker (opossum): when most recent calls found the provider
 * unavailable, further calls fail at once, sparing queries a long wait and the provider a
 * stampede; after `resetTimeoutMs` one trial call decides whether to close it again. Only
 * outages count; a refused request, a failed prediction, a 429 or our own abort do not.
 */
export function withCircuitBreaker(provider: Provider, config: BreakerConfig): Provider {
  const breaker = new CircuitBreaker((request: GenerationRequest) => provider.generate(request), {
    timeout: false, // generations take as long as they take; deadlines are the job's business
    errorThresholdPercentage: config.errorThresholdPercentage,
    volumeThreshold: config.volumeThreshold,
    resetTimeout: config.resetTimeoutMs,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    errorFilter: (error: unknown) => !(error instanceof ProviderError && error.kind === "unavailable"),
  });
  const report = (state: BreakerState) => () => config.onStateChange?.(provider.name, state);
  breaker.on("open", report("open"));
  breaker.on("halfOpen", report("half-open"));
  breaker.on("close", report("closed"));

  return {
    name: provider.name,
    async generate(request: GenerationRequest): Promise<Generation> {
      try {
        return await breaker.fire(request);
      } catch (error) {
        if (breaker.opened && error instanceof Error && (error as { code?: string }).code === "EOPENBREAKER") {
          throw new ProviderError("unavailable", `circuit open for ${provider.name}: failing fast while it recovers`);
        }
        throw error;
      }
    },
  };
}
