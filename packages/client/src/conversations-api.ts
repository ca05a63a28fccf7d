import { request, type Transport } from "./transport.js";
import type {
  Conversation,
  ConversationWithMessages,
  CreateConversationInput,
  Message,
  Page,
  PageParams,
} from "./types.js";

const path = (id: string) => `/v1/conversations/${encodeURIComponent(id)}`;

/** `client.conversations`: start, list, read back and delete conversations. */
export class ConversationsApi {
  constructor(private readonly transport: Transport) {}

  /** Starts an empty conversation; a query without `conversationId` also starts one. */
  async create(body: CreateConversationInput, options: { signal?: AbortSignal } = {}): Promise<Conversation> {
    const { data } = await request<Conversation>(this.transport, "/v1/conversations", {
      method: "POST",
      body,
      signal: options.signal,
    });
    return data;
  }

  /** One page of your conversations, newest first; pass `nextCursor` back as `cursor` for the next. */
  async list(params: PageParams = {}, options: { signal?: AbortSignal } = {}): Promise<Page<Conversation>> {
    const { data } = await request<Page<Conversation>>(this.transport, "/v1/conversations", {
      query: { limit: params.limit, cursor: params.cursor },
      signal: options.signal,
    });
    return data;
  }

  /** Every conversation, newest first, fetching pages as the loop asks for them. */
  async *iterate(params: { pageSize?: number } = {}): AsyncGenerator<Conversation, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: params.pageSize ?? 100, cursor });
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * The conversation with its running summary and the first page of its messages (100), in
   * order; `messagesNextCursor` leads to the rest (see `messagesPage`, `getWithAllMessages`).
   */
  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<ConversationWithMessages> {
    const { data } = await request<ConversationWithMessages>(this.transport, path(id), { signal: options.signal });
    return data;
  }

  /** One page of a conversation's messages, oldest first. */
  async messagesPage(
    id: string,
    params: PageParams = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<Page<Message>> {
    const { data } = await request<Page<Message>>(this.transport, `${path(id)}/messages`, {
      query: { limit: params.limit, cursor: params.cursor },
      signal: options.signal,
    });
    return data;
  }

  /** The conversation with every message, fetching the pages after the first. */
  async getWithAllMessages(id: string, options: { signal?: AbortSignal } = {}): Promise<ConversationWithMessages> {
    const conversation = await this.get(id, options);
    const messages = [...conversation.messages];
    let cursor = conversation.messagesNextCursor;
    while (cursor) {
      const page = await this.messagesPage(id, { limit: 100, cursor }, options);
      messages.push(...page.data);
      cursor = page.nextCursor;
    }
    return { ...conversation, messages, messagesNextCursor: null };
  }

  /** Every message of a conversation, in order. */
  async messages(id: string, options: { signal?: AbortSignal } = {}): Promise<Message[]> {
    return (await this.getWithAllMessages(id, options)).messages;
  }

  /** Deletes the conversation, its messages, its queries and any of them still waiting. */
  async delete(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await request<void>(this.transport, path(id), { method: "DELETE", signal: options.signal });
  }
}
