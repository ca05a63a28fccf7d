import { createConversationsRepo } from "./conversations-repo.js";
import { createIdempotencyRepo } from "./idempotency-repo.js";
import { createMessagePagesRepo } from "./message-pages.js";
import { createMessagesRepo } from "./messages-repo.js";
import { connectMongo, ensureIndexes, type Mongo, type MongoOptions } from "./mongo.js";
import { createQueriesRepo } from "./queries-repo.js";
import { createSessionsRepo } from "./sessions-repo.js";
import { createUsersRepo } from "./users-repo.js";
import { createWebhooksRepo } from "./webhooks-repo.js";

export interface Store {
  mongo: Mongo;
  users: ReturnType<typeof createUsersRepo>;
  conversations: ReturnType<typeof createConversationsRepo>;
  messages: ReturnType<typeof createMessagesRepo>;
  messagePages: ReturnType<typeof createMessagePagesRepo>;
  queries: ReturnType<typeof createQueriesRepo>;
  idempotency: ReturnType<typeof createIdempotencyRepo>;
  webhooks: ReturnType<typeof createWebhooksRepo>;
  sessions: ReturnType<typeof createSessionsRepo>;
  close(): Promise<void>;
}

export async function openStore(url: string, appName: string, options: MongoOptions = {}): Promise<Store> {
  const mongo = await connectMongo(url, appName, options);
  await ensureIndexes(mongo.collections);
  const c = mongo.collections;
  return {
    mongo,
    users: createUsersRepo(c),
    conversations: createConversationsRepo(c),
    messages: createMessagesRepo(c),
    messagePages: createMessagePagesRepo(c),
    queries: createQueriesRepo(c),
    idempotency: createIdempotencyRepo(c),
    webhooks: createWebhooksRepo(c),
    sessions: createSessionsRepo(c),
    close: () => mongo.close(),
  };
}
