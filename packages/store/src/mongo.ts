import { channel } from "node:diagnostics_channel";
import { STORE_COMMAND_CHANNEL } from "@llm-chat/contracts";
import { type Collection, type Db, MongoClient, MongoServerError } from "mongodb";
import type {
  ApiKeyDoc,
  ConversationDoc,
  DeliveryDoc,
  IdempotencyDoc,
  MessageDoc,
  QueryDoc,
  RefreshTokenDoc,
  UserDoc,
  WebhookEventDoc,
} from "./documents.js";

export interface Collections {
  users: Collection<UserDoc>;
  apiKeys: Collection<ApiKeyDoc>;
  conversations: Collection<ConversationDoc>;
  messages: Collection<MessageDoc>;
  queries: Collection<QueryDoc>;
  idempotency: Collection<IdempotencyDoc>;
  webhookEvents: Collection<WebhookEventDoc>;
  deliveries: Collection<DeliveryDoc>;
  refreshTokens: Collection<RefreshTokenDoc>;
}

export interface Mongo {
  client: MongoClient;
  db: Db;
  collections: Collections;
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface SlowCommand {
  command: string;
  collection: string | null;
  /** Top-level field names of the filter (values are never read: they may be secrets). */
  filterFields: string[];
  ms: number;
}

export interface MongoOptions {
  slowCommandMs?: number;
  onSlowCommand?: (slow: SlowCommand) => void;
}

/** Where every command's name is announced; the runtime's metrics count them (llmchat_store_commands_total). */
const commands = channel(STORE_COMMAND_CHANNEL);

export async function connectMongo(url: string, appName: string, options: MongoOptions = {}): Promise<Mongo> {
  const { slowCommandMs, onSlowCommand } = options;
  const client = new MongoClient(url, {
    appName,
    // Always on: every command is counted (round trips per query are a figure we watch).
    monitorCommands: true,
    // Fail requests fast while the server is away instead of queueing them for 30 s.
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    // A pool size in MONGO_URL wins (with FerretDB, all pools together must stay below its
    // PostgreSQL pool: see docs/decisions.md).
    ...(/[?&]maxPoolSize=/i.test(url) ? {} : { maxPoolSize: 50 }),
  });
  client.on("commandStarted", (event) => {
    if (commands.hasSubscribers) commands.publish(event.commandName);
  });
  if (slowCommandMs !== undefined && onSlowCommand) watchSlowCommands(client, slowCommandMs, onSlowCommand);
  await client.connect();
  const db = client.db();
  const collections: Collections = {
    users: db.collection<UserDoc>("users"),
    apiKeys: db.collection<ApiKeyDoc>("api_keys"),
    conversations: db.collection<ConversationDoc>("conversations"),
    messages: db.collection<MessageDoc>("messages"),
    queries: db.collection<QueryDoc>("queries"),
    idempotency: db.collection<IdempotencyDoc>("idempotency_keys"),
    webhookEvents: db.collection<WebhookEventDoc>("webhook_events"),
    deliveries: db.collection<DeliveryDoc>("deliveries"),
    refreshTokens: db.collection<RefreshTokenDoc>("refresh_tokens"),
  };
  return {
    client,
    db,
    collections,
    async ping(timeoutMs) {
      await db.command({ ping: 1 }, { timeoutMS: timeoutMs });
    },
    close: () => client.close(),
  };
}

/**
 * Reports commands slower than `thresholdMs`: on FerretDB a filter other than `{_id}` reads
 * the whole collection, and this is how such a read shows itself in production logs.
 */
function watchSlowCommands(client: MongoClient, thresholdMs: number, report: (slow: SlowCommand) => void): void {
  const started = new Map<number, { command: string; collection: string | null; filterFields: string[] }>();
  client.on("commandStarted", (event) => {
    const body = event.command as Record<string, unknown>;
    const target = body[event.commandName];
    const filter = (body.filter ?? body.query ?? (Array.isArray(body.updates) ? body.updates[0]?.q : undefined)) as
      | Record<string, unknown>
      | undefined;
    started.set(event.requestId, {
      command: event.commandName,
      collection: typeof target === "string" ? target : null,
      filterFields: filter && typeof filter === "object" ? Object.keys(filter) : [],
    });
  });
  const finish = (event: { requestId: number; duration: number }) => {
    const info = started.get(event.requestId);
    started.delete(event.requestId);
    if (info && event.duration >= thresholdMs) report({ ...info, ms: Math.round(event.duration) });
  };
  client.on("commandSucceeded", finish);
  client.on("commandFailed", finish);
}

/** Idempotent: safe to run at every start of every process. */
export async function ensureIndexes(c: Collections): Promise<void> {
  await Promise.all([
    c.users.createIndex({ email: 1 }, { unique: true, name: "email_unique" }),
    c.apiKeys.createIndex({ hash: 1 }, { unique: true, name: "hash_unique" }),
    c.apiKeys.createIndex({ userId: 1, _id: -1 }, { name: "user_keys" }),
    c.conversations.createIndex({ userId: 1, _id: -1 }, { name: "user_conversations" }),
    c.messages.createIndex({ conversationId: 1, order: 1 }, { name: "conversation_order" }),
    c.queries.createIndex({ userId: 1, _id: -1 }, { name: "user_queries" }),
    c.queries.createIndex({ conversationId: 1, seq: 1 }, { unique: true, name: "conversation_seq_unique" }),
    c.queries.createIndex({ status: 1, createdAt: 1 }, { name: "status_created" }),
    c.refreshTokens.createIndex({ familyId: 1 }, { name: "family" }),
    c.idempotency.createIndex({ createdAt: 1 }, { name: "created" }),
    c.webhookEvents.createIndex({ queryId: 1 }, { name: "query_events" }),
    c.deliveries.createIndex({ queryId: 1, at: 1 }, { name: "query_deliveries" }),
  ]);
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
