export type { ConversationsRepo, NewConversation } from "./conversations-repo.js";
export { decodeCursor, encodeCursor } from "./cursor.js";
export type {
  ApiKeyDoc,
  ConversationDoc,
  ConversationSummary,
  DeliveryDoc,
  GivenTurn,
  IdempotencyDoc,
  MessageDoc,
  QueryDoc,
  RefreshTokenDoc,
  ResponsesEcho,
  UserDoc,
  WebhookEventDoc,
} from "./documents.js";
export { IDEMPOTENCY_WINDOW_MS, type IdempotencyRecord, type IdempotencyRepo } from "./idempotency-repo.js";
export { newId } from "./ids.js";
export { DuplicateKeyError, insertEach } from "./insert-each.js";
export { type Answer, type MessagesRepo, messageId, type Turn } from "./messages-repo.js";
export {
  type Collections,
  connectMongo,
  ensureIndexes,
  isDuplicateKey,
  type Mongo,
  type MongoOptions,
  type SlowCommand,
} from "./mongo.js";
export type { FinalRecord, NewQuery, QueriesRepo } from "./queries-repo.js";
export type { Rotation, SessionsRepo } from "./sessions-repo.js";
export { openStore, type Store } from "./store.js";
export { apiKeyIdOf, EmailTakenError, hashApiKey, type NewApiKey, sameHash, type UsersRepo } from "./users-repo.js";
export type { WebhooksRepo } from "./webhooks-repo.js";
