export { type ChatInput, type ChatTurn, formatChat } from "./chat-template.js";
export {
  type ChatTemplate,
  createModelRegistry,
  type ModelRegistry,
  type ModelRegistryConfig,
  type ModelSpec,
} from "./model-registry.js";
export { classifyProviderError, ProviderError, type ProviderErrorKind } from "./provider-error.js";
export {
  createReplicateProvider,
  type Generation,
  type GenerateRequest,
  type ReplicateProvider,
  type ReplicateProviderConfig,
} from "./replicate-provider.js";
export { toReplicateInput } from "./replicate-input.js";
