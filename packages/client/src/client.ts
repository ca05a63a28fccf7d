import { isFinal } from "@llm-chat/contracts";
import { ApiKeysApi } from "./api-keys-api.js";
import { ConversationsApi } from "./conversations-api.js";
import { type StreamOptions, streamQueryEvents } from "./query-stream.js";
import { type FetchLike, request, type Transport } from "./transport.js";
import type {
  Delivery,
  ListQueriesParams,
  LoginInput,
  ModelInfo,
  Page,
  Query,
  QueryStreamEvent,
  RegisterInput,
  RegisterResponse,
  SubmitQueryInput,
  TokenPair,
} from "./types.js";
import { DEFAULT_WAIT_MS, pollUntilDone, type WaitOptions } from "./wait-for-query.js";

export interface ClientOptions {
  /** Where the API is, e.g. `https://chat.example.com` (without `/v1`). */
  baseUrl: string;
  /** An API key (`llmc_…`) or a JWT access token; sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Per-request timeout for ordinary calls; default 30 s. Streams are not cut by it. */
  timeoutMs?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (a proxy agent, instrumentation). */
  fetch?: FetchLike;
}

export interface SubmitOptions {
  /** Same key within 24 h returns the original query instead of submitting twice. */
  idempotencyKey?: string;
  /** `Prefer: wait=N` (1..60): the server holds the answer up to N s and returns the finished query if it is. */
  waitSeconds?: number;
  signal?: AbortSignal;
}

interface Call {
  signal?: AbortSignal;
}

const queryPath = (id: string) => `/v1/queries/${encodeURIComponent(id)}`;

/** The llm-chat API. Uses only `fetch`, so it runs on Node ≥ 20, Deno, Bun and in browsers. */
export class LlmChatClient {
  readonly conversations: ConversationsApi;
  readonly apiKeys: ApiKeysApi;
  private readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      // Bound, because some runtimes' fetch throws when called with another `this`.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headers: options.headers ?? {},
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    this.conversations = new ConversationsApi(this.transport);
    this.apiKeys = new ApiKeysApi(this.transport);
  }

  /** Creates an account; the answer holds its first API key, shown only here. Needs no key. */
  static async register(baseUrl: string, body: RegisterInput, options: Omit<ClientOptions, "baseUrl"> = {}) {
    const client = new LlmChatClient({ ...options, baseUrl, apiKey: undefined });
    const { data } = await request<RegisterResponse>(client.transport, "/v1/auth/register", { method: "POST", body });
    return data;
  }

  /** Email + password → a short-lived access token (use it as `apiKey`) and a refresh token. */
  static async login(baseUrl: string, body: LoginInput, options: Omit<ClientOptions, "baseUrl"> = {}) {
    const client = new LlmChatClient({ ...options, baseUrl, apiKey: undefined });
    const { data } = await request<TokenPair>(client.transport, "/v1/auth/login", { method: "POST", body });
    return data;
  }

  /**
   * Submits a prompt. Resolves with the query as accepted (`queued`), or, with
   * `waitSeconds`, finished if it finished within that time.
   */
  async submit(body: SubmitQueryInput, options: SubmitOptions = {}): Promise<Query> {
    const headers: Record<string, string> = {};
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    if (options.waitSeconds) headers.prefer = `wait=${Math.round(options.waitSeconds)}`;
    const { data } = await request<Query>(this.transport, "/v1/queries", {
      method: "POST",
      body,
      headers,
      signal: options.signal,
      // The server may hold the request for the whole wait: the timeout must outlast it.
      timeoutMs: this.transport.timeoutMs + (options.waitSeconds ?? 0) * 1000,
    });
    return data;
  }

  async get(id: string, options: Call = {}): Promise<Query> {
    const { data } = await request<Query>(this.transport, queryPath(id), { signal: options.signal });
    return data;
  }

  /** One page of your queries, newest first, optionally of one conversation or status. */
  async list(params: ListQueriesParams = {}, options: Call = {}): Promise<Page<Query>> {
    const { data } = await request<Page<Query>>(this.transport, "/v1/queries", {
      query: { ...params },
      signal: options.signal,
    });
    return data;
  }

  /** Resolves once the query is succeeded, failed or canceled (polling with backoff). */
  async wait(id: string, options: WaitOptions = {}): Promise<Query> {
    return pollUntilDone((signal) => this.get(id, { signal }), null, options);
  }

  /**
   * Submits and resolves with the finished query: `Prefer: wait` covers fast answers in
   * one round trip, polling covers the rest.
   */
  async submitAndWait(body: SubmitQueryInput, options: WaitOptions & Omit<SubmitOptions, "waitSeconds"> = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const started = Date.now();
    const waitSeconds = Math.max(1, Math.min(60, Math.floor(timeoutMs / 1000)));
    const submitted = await this.submit(body, { ...options, waitSeconds });
    if (isFinal(submitted.status)) return submitted;
    return pollUntilDone((signal) => this.get(submitted.id, { signal }), submitted, {
      ...options,
      timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)),
    });
  }

  /**
   * The query's Server-Sent Events (`status`, `output` deltas, `done`) as an async
   * iterator that ends after `done`. Reconnects by itself after a dropped connection,
   * resuming after the last event seen; `break` out of the loop to close the stream.
   */
  stream(id: string, options: StreamOptions = {}): AsyncGenerator<QueryStreamEvent, void, undefined> {
    return streamQueryEvents(this.transport, id, options);
  }

  /** Cancels a queued or running query; ConflictError (409) if it already finished. */
  async cancel(id: string, options: Call = {}): Promise<Query> {
    const { data } = await request<Query>(this.transport, `${queryPath(id)}/cancel`, {
      method: "POST",
      signal: options.signal,
    });
    return data;
  }

  /** The webhook delivery attempts of a query, oldest first. */
  async deliveries(id: string, options: Call = {}): Promise<Delivery[]> {
    const { data } = await request<{ data: Delivery[] }>(this.transport, `${queryPath(id)}/deliveries`, {
      signal: options.signal,
    });
    return data.data;
  }

  /** The models this deployment serves. */
  async models(options: Call = {}): Promise<ModelInfo[]> {
    const { data } = await request<{ data: ModelInfo[] }>(this.transport, "/v1/models", { signal: options.signal });
    return data.data;
  }

  /** Your webhook signing secret (`whsec_…`), for `verifyWebhook`; created on first use. */
  async webhookSecret(options: Call = {}): Promise<string> {
    const { data } = await request<{ secret: string }>(this.transport, "/v1/webhook-secret", {
      signal: options.signal,
    });
    return data.secret;
  }

  /** A new webhook signing secret; the old one stops being used at once. */
  async rotateWebhookSecret(options: Call = {}): Promise<string> {
    const { data } = await request<{ secret: string }>(this.transport, "/v1/webhook-secret/rotate", {
      method: "POST",
      signal: options.signal,
    });
    return data.secret;
  }
}
