import type { Conversation, Delivery, Message, Query } from "@llm-chat/contracts";
import type { ConversationDoc, DeliveryDoc, MessageDoc, QueryDoc } from "@llm-chat/store";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentConversation(doc: ConversationDoc): Conversation {
  return {
    id: doc._id,
    model: doc.model,
    title: doc.title,
    system: doc.system,
    summary: doc.summary
      ? { text: doc.summary.text, throughSeq: doc.summary.throughSeq, updatedAt: doc.summary.updatedAt.toISOString() }
      : null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

export function presentMessage(doc: MessageDoc): Message {
  return {
    id: doc._id,
    role: doc.role,
    content: doc.content,
    queryId: doc.queryId,
    createdAt: doc.createdAt.toISOString(),
  };
}

export function queryUrls(baseUrl: string, id: string): Query["urls"] {
  const get = `${baseUrl}/v1/queries/${id}`;
  return { get, cancel: `${get}/cancel`, events: `${get}/events` };
}

export function presentQuery(doc: QueryDoc, baseUrl: string): Query {
  return {
    id: doc._id,
    conversationId: doc.conversationId,
    model: doc.model,
    prompt: doc.prompt,
    params: doc.params,
    status: doc.status,
    output: doc.output,
    error: doc.error,
    attempts: doc.attempts,
    createdAt: doc.createdAt.toISOString(),
    startedAt: iso(doc.startedAt),
    finishedAt: iso(doc.finishedAt),
    metrics: doc.metrics,
    webhook: doc.webhook,
    urls: queryUrls(baseUrl, doc._id),
  };
}

export function presentDelivery(doc: DeliveryDoc): Delivery {
  return {
    id: doc._id,
    eventId: doc.eventId,
    event: doc.type,
    attempt: doc.attempt,
    at: doc.at.toISOString(),
    statusCode: doc.statusCode,
    latencyMs: doc.latencyMs,
    error: doc.error,
  };
}
