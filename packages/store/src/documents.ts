import type {
  GenerationParams,
  QueryErrorCode,
  QueryMetrics,
  QueryStatus,
  WebhookConfig,
  WebhookEvent,
} from "@llm-chat/contracts";

export interface UserDoc {
  _id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
  /** Standard Webhooks signing secret (`whsec_…`); created on first use. */
  webhookSecret?: string;
  /** Opens operator routes. Set only by the admin CLI or ADMIN_EMAILS, never through the API. */
  isAdmin?: boolean;
}

/** A refresh token (stored as its hash). Tokens of one login form a family that rotates. */
export interface RefreshTokenDoc {
  _id: string;
  userId: string;
  familyId: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when it was exchanged for a new pair; a second use means it was stolen. */
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiKeyDoc {
  _id: string;
  userId: string;
  name: string;
  /** The first characters of the secret, shown in listings so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the secret: keys are 240 random bits, so a fast hash is enough and lookups stay O(1). */
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ConversationDoc {
  _id: string;
  userId: string;
  model: string;
  title: string | null;
  system: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** What the turns up to `throughSeq` said, written by the model when they left the window. */
  summary?: ConversationSummary | null;
  /**
   * Turns the caller gave when starting the conversation (the OpenAI-compatible routes send
   * the whole chat in each request): they come before the recorded turns in every prompt.
   */
  givenTurns?: GivenTurn[];
}

export interface GivenTurn {
  user: string;
  assistant: string;
}

export interface ConversationSummary {
  text: string;
  throughSeq: number;
  updatedAt: Date;
}

export interface MessageDoc {
  /** Derived from the query id and role, so recording the same exchange twice is a duplicate-key no-op. */
  _id: string;
  conversationId: string;
  userId: string;
  queryId: string;
  role: "user" | "assistant";
  content: string;
  /** Tokens of the content under the conversation's model tokenizer, counted once when written. */
  tokens: number;
  /** seq * 2 (+1 for the answer): the order messages are read back in. */
  order: number;
  createdAt: Date;
}

/**
 * What a Responses request (the OpenAI-compatible surface) said that the query itself does
 * not keep, so a later retrieve answers it as the create did.
 */
export interface ResponsesEcho {
  background: boolean;
  instructions: string | null;
  previousResponseId: string | null;
}

export interface QueryDoc {
  _id: string;
  userId: string;
  conversationId: string;
  /** Place in the conversation, 0, 1, 2… in submit order; unique per conversation. */
  seq: number;
  model: string;
  prompt: string;
  params: GenerationParams;
  status: QueryStatus;
  output: string | null;
  error: { code: QueryErrorCode; message: string } | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  metrics: QueryMetrics;
  webhook: WebhookConfig | null;
  /** Set for queries made through /v1/responses only (absent on older records too). */
  responses?: ResponsesEcho;
}

export interface IdempotencyDoc {
  /** `${userId}:${key}`: a key is scoped to its user. */
  _id: string;
  userId: string;
  bodyHash: string;
  /**
   * The one query this key may create, decided before it is submitted. Null only in records
   * written by earlier versions, which decided it after submitting (adopted on next use).
   */
  queryId: string | null;
  createdAt: Date;
  /** Set once that query was accepted (best effort: a record without it may still have its query). */
  acceptedAt?: Date;
}

/** One webhook event of a query; the payload is fixed when the event happens, whatever the retries. */
export interface WebhookEventDoc {
  _id: string;
  queryId: string;
  userId: string;
  type: WebhookEvent;
  url: string;
  payload: string;
  createdAt: Date;
}

export interface DeliveryDoc {
  _id: string;
  eventId: string;
  queryId: string;
  userId: string;
  type: WebhookEvent;
  attempt: number;
  at: Date;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
}
