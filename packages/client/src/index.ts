export { ApiKeysApi } from "./api-keys-api.js";
export { type ClientOptions, LlmChatClient, type SubmitOptions } from "./client.js";
export { ConversationsApi } from "./conversations-api.js";
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  type FieldError,
  LlmChatError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ValidationError,
  WaitTimeoutError,
  WebhookVerificationError,
} from "./errors.js";
export type { StreamOptions } from "./query-stream.js";
export type { FetchLike } from "./transport.js";
export type * from "./types.js";
export { verifyWebhook, type WebhookHeaders } from "./verify-webhook.js";
export type { WaitOptions } from "./wait-for-query.js";
