import type {
  createApiKeyBodySchema,
  createConversationBodySchema,
  loginBodySchema,
  QueryErrorCode,
  QueryStatus,
  registerBodySchema,
  submitQueryBodySchema,
} from "@llm-chat/contracts";
import type { z } from "zod";

// Response shapes come straight from the API's own zod contracts.
export type {
  ApiKey,
  Conversation,
  ConversationWithMessages,
  Delivery,
  GenerationParams,
  Message,
  ModelInfo,
  Page,
  Problem,
  Query,
  QueryErrorCode,
  QueryMetrics,
  QueryStatus,
  RegisterResponse,
  TokenPair,
  User,
  WebhookEvent,
} from "@llm-chat/contracts";

// Request bodies are the schemas' *input* types: what a caller may send before defaults apply.
export type SubmitQueryInput = z.input<typeof submitQueryBodySchema>;
export type CreateConversationInput = z.input<typeof createConversationBodySchema>;
export type CreateApiKeyInput = z.input<typeof createApiKeyBodySchema>;
export type RegisterInput = z.input<typeof registerBodySchema>;
export type LoginInput = z.input<typeof loginBodySchema>;

/** A new API key: the listing fields plus its secret, which the API shows this once. */
export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  secret: string;
}

export interface PageParams {
  limit?: number;
  cursor?: string;
}

export interface ListQueriesParams extends PageParams {
  conversationId?: string;
  status?: QueryStatus;
}

/**
 * One Server-Sent Event of GET /v1/queries/:id/events. `id` is the event's id (pass it as
 * `lastEventId` to resume after it); a `done` rebuilt from the record after the live log
 * expired has none.
 */
export type QueryStreamEvent =
  | { type: "status"; id: string | null; status: QueryStatus }
  | { type: "output"; id: string | null; delta: string }
  | {
      type: "done";
      id: string | null;
      status: QueryStatus;
      output: string | null;
      error: { code: QueryErrorCode; message: string } | null;
    };

/** The body of a webhook delivery (Standard Webhooks), once its signature checks out. */
export interface WebhookPayload {
  type: "query.start" | "query.output" | "query.completed";
  timestamp: string;
  data: {
    id: string;
    conversationId: string;
    model: string;
    status: QueryStatus;
    output: string | null;
    error: { code: QueryErrorCode; message: string } | null;
    attempts: number;
    createdAt: string;
    finishedAt: string | null;
    metrics: Record<string, number | null>;
  };
}
