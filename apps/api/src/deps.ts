import type { EventHub, QueryEmitter, QueryEventLog } from "@llm-chat/events";
import type { ModelRegistry } from "@llm-chat/llm";
import type { ConversationOrder, HotHistory, QueryLedger, QueryLifecycle } from "@llm-chat/query-lifecycle";
import type { Producer } from "@llm-chat/queue";
import type { Logger, Metrics } from "@llm-chat/runtime";
import type { Store } from "@llm-chat/store";
import type { Cluster, Redis } from "ioredis";
import type { AccessTokens } from "./auth/access-tokens.js";
import type { StreamSlots } from "./http/stream-slots.js";

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  store: Store;
  redis: Redis | Cluster;
  producer: Producer;
  models: ModelRegistry;
  history: HotHistory;
  events: QueryEventLog;
  hub: EventHub;
  emitter: QueryEmitter;
  order: ConversationOrder;
  ledger: QueryLedger;
  lifecycle: QueryLifecycle;
  tokens: AccessTokens;
  streams: StreamSlots;
  config: {
    bodyLimit: string;
    /** Prefix for URLs in responses: API_PUBLIC_URL, or "" for host-relative URLs. */
    publicUrl: string;
    defaultModel: string;
    queuePrefix: string;
    allowPrivateWebhooks: boolean;
    maxOpenQueriesPerUser: number;
    /** QUEUE_DASHBOARD_WRITES: whether admins may change jobs and queues from bull-board. */
    queueDashboardWrites: boolean;
    corsOrigins: string[];
    trustProxyHops: number;
    rateLimits: { submitPerMinute: number; readPerMinute: number; authPerMinute: number };
    authFailures: { perIp: number; perEmail: number; windowSeconds: number };
  };
  isShuttingDown(): boolean;
}
