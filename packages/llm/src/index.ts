export { type ChatInput, type ChatMessage, type ChatTurn, formatChat, formatMessages } from "./chat-template.js";
export {
  type BreakerConfig,
  type BreakerState,
  type GuardedProvider,
  HALF_OPEN_RECHECK_MS,
  withCircuitBreaker,
} from "./circuit-breaker.js";
export { CircuitOpenError } from "./circuit-open-error.js";
export {
  type BuiltContext,
  buildContext,
  type ContextRequest,
  type CountedTurn,
  PromptTooLargeError,
  promptBudget,
} from "./context-builder.js";
export {
  type ChatTemplate,
  createModelRegistry,
  ModelConfigError,
  type ModelRegistry,
  type ModelRegistryConfig,
  type ModelSpec,
  type ProviderKind,
} from "./model-registry.js";
export { neutraliseMarkers } from "./neutralise.js";
export { createOpenAIProvider, type OpenAIProviderConfig } from "./openai-provider.js";
export type { Generation, GenerationRequest, Provider } from "./provider.js";
export { classifyProviderError, ProviderError, type ProviderErrorKind, retryAfterFrom } from "./provider-error.js";
export { createProviderRateLimit, type ProviderRateLimit } from "./provider-rate-limit.js";
export { createProviders, ProviderConfigError, type Providers, type ProvidersConfig } from "./providers.js";
export { toReplicateInput } from "./replicate-input.js";
export { createReplicateProvider, type ReplicateProviderConfig } from "./replicate-provider.js";
export { countTokens, maxTokensFor, type TokenizerName } from "./tokenizer.js";
