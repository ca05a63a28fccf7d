export { type ChatInput, type ChatTurn, formatChat } from "./chat-template.js";
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
  type ModelRegistry,
  type ModelRegistryConfig,
  type ModelSpec,
} from "./model-registry.js";
export { neutraliseMarkers } from "./neutralise.js";
export { classifyProviderError, ProviderError, type ProviderErrorKind } from "./provider-error.js";
export { toReplicateInput } from "./replicate-input.js";
export {
  createReplicateProvider,
  type GenerateRequest,
  type Generation,
  type ReplicateProvider,
  type ReplicateProviderConfig,
} from "./replicate-provider.js";
export { countTokens, maxTokensFor, type TokenizerName } from "./tokenizer.js";
