import type { Cluster, Redis } from "ioredis";
import pLimit from "p-limit";
import { type BreakerConfig, type GuardedProvider, withCircuitBreaker } from "./circuit-breaker.js";
import type { ModelRegistry, ModelSpec } from "./model-registry.js";
import { createOpenAIProvider } from "./openai-provider.js";
import type { Generation, GenerationRequest, Provider } from "./provider.js";
import { createProviderRateLimit } from "./provider-rate-limit.js";
import { createReplicateProvider } from "./replicate-provider.js";

export interface ProvidersConfig {
  keyPrefix: string;
  replicate: {
    apiToken: string | undefined;
    baseUrl: string;
    pollIntervalMs: number;
    rateLimit: { points: number; windowSeconds: number };
  };
  breaker: BreakerConfig;
  /** Looks up the API key named by a model's `apiKeyEnv` (the entry point's environment). */
  secret(name: string): string | undefined;
}

export class ProviderConfigError extends Error {}

/**
 * One provider instance per upstream (Replicate; each OpenAI-compatible server), each behind
 * its own circuit breaker, and a concurrency limit per model on top.
 */
export function createProviders(models: ModelRegistry, redis: Redis | Cluster, config: ProvidersConfig) {
  const byUpstream = new Map<string, GuardedProvider>();
  const perModel = new Map<string, { provider: GuardedProvider; limit: ReturnType<typeof pLimit> | null }>();

  const upstream = (model: ModelSpec): GuardedProvider => {
    const key = model.provider === "replicate" ? "replicate" : `openai@${model.baseUrl}`;
    const existing = byUpstream.get(key);
    if (existing) return existing;
    let provider: Provider;
    if (model.provider === "replicate") {
      if (!config.replicate.apiToken) throw new ProviderConfigError(`model ${model.id} needs REPLICATE_API_TOKEN`);
      if (model.template === "messages")
        throw new ProviderConfigError(`model ${model.id}: Replicate models need a chat template`);
      provider = createReplicateProvider({
        apiToken: config.replicate.apiToken,
        baseUrl: config.replicate.baseUrl,
        pollIntervalMs: config.replicate.pollIntervalMs,
        rateLimit: createProviderRateLimit(redis, {
          keyPrefix: config.keyPrefix,
          provider: "replicate",
          ...config.replicate.rateLimit,
        }),
      });
    } else {
      const apiKey = model.apiKeyEnv ? config.secret(model.apiKeyEnv) : "not-needed";
      if (!apiKey) throw new ProviderConfigError(`model ${model.id}: ${model.apiKeyEnv} is not set`);
      provider = createOpenAIProvider({ name: key, baseUrl: model.baseUrl ?? "", apiKey });
    }
    const guarded = withCircuitBreaker(provider, config.breaker);
    byUpstream.set(key, guarded);
    return guarded;
  };

  // Built at start, so a model that cannot run is a start-up error, not a failed query.
  for (const model of models.list()) {
    perModel.set(model.id, { provider: upstream(model), limit: model.concurrency ? pLimit(model.concurrency) : null });
  }

  return {
    generate(request: GenerationRequest): Promise<Generation> {
      const entry = perModel.get(request.model.id);
      if (!entry) throw new ProviderConfigError(`model ${request.model.id} is not configured`);
      const { provider, limit } = entry;
      return limit ? limit(() => provider.generate(request)) : provider.generate(request);
    },
    /**
     * Epoch ms before which the model's provider refuses calls (its circuit is open), or
     * null when a call may go now. In-process and cheap: asked before every attempt.
     */
    pausedUntil(model: ModelSpec): number | null {
      return perModel.get(model.id)?.provider.pausedUntil() ?? null;
    },
    /** Whether any provider's circuit is open now (so that per-query checks are needed at all). */
    anyPaused(): boolean {
      for (const provider of byUpstream.values()) if (provider.pausedUntil() !== null) return true;
      return false;
    },
    providerName(model: ModelSpec): string {
      return perModel.get(model.id)?.provider.name ?? "unknown";
    },
  };
}

export type Providers = ReturnType<typeof createProviders>;
