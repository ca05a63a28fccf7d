import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import { conversationIdSchema, queryIdSchema } from "@llm-chat/contracts";
import { z } from "zod";
import { retryAfter } from "../openapi/common-responses.js";
import { eventStream, jsonData, sseEvent } from "../openapi/sse-event-schema.js";
import { chatCompletionBodySchema } from "./chat-schema.js";
import { createResponseBodySchema, retrieveQuerySchema } from "./responses-schema.js";

const openAiError = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});
const errorAnswer = (description: string, retry = false) => ({
  description,
  content: { "application/json": { schema: openAiError } },
  ...(retry ? { headers: retryAfter } : {}),
});
/**
 * What the OpenAI routes' middleware and shared handling answer, in OpenAI's envelope (not
 * problem+json): a bad or non-object JSON body or parameter is 400 naming `param`, as OpenAI does.
 */
const errors = {
  400: errorAnswer("Invalid request (malformed JSON, a body that is not an object, a bad parameter); `param` names it"),
  401: errorAnswer("Missing or invalid API key"),
  404: errorAnswer("Unknown model, or no such response or conversation (or not yours)"),
  429: errorAnswer("Rate limited, or too many open queries or streams", true),
  503: errorAnswer("A backing service is unreachable, or the query could not be queued", true),
};
const bodyErrors = {
  413: errorAnswer("Request body too large"),
  415: errorAnswer("The body is not application/json, or its charset or encoding is not supported"),
};
/** How a failed or canceled model run answers a waited-for request (OpenAI's statuses; query-failure.ts). */
const runErrors = {
  409: errorAnswer("The request was canceled"),
  500: errorAnswer("The model run failed"),
  502: errorAnswer("The provider answered something unreadable"),
  504: errorAnswer("The request did not finish in time"),
};
const usage = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() });
const completion = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal("assistant"), content: z.string() }),
      finish_reason: z.enum(["stop", "length"]),
    }),
  ),
  usage,
});
const response = z.object({
  id: z.string(),
  object: z.literal("response"),
  created_at: z.number().int(),
  status: z.enum(["queued", "in_progress", "completed", "failed", "cancelled"]),
  model: z.string(),
  output: z.array(
    z.object({ type: z.literal("message"), role: z.literal("assistant"), content: z.array(z.unknown()) }),
  ),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  metadata: z.object({ conversation_id: z.string() }),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }).nullable(),
});
const chunk = z.object({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  created: z.number().int(),
  model: z.string(),
  system_fingerprint: z.null(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal("assistant").optional(), content: z.string().optional() }),
      logprobs: z.null(),
      finish_reason: z.enum(["stop", "length"]).nullable(),
    }),
  ),
  usage: usage.optional(),
});
const chatEvents = eventStream(
  "One event of the stream (the schema describes each event, as OpenAPI 3.2's itemSchema does): " +
    "chat.completion.chunk objects, then `[DONE]`; a run that fails ends with an error object instead.",
  [sseEvent({ const: "message" }, { anyOf: [{ const: "[DONE]" }, jsonData(z.union([chunk, openAiError]))] })],
);
const responseEvent = z.looseObject({ type: z.string(), sequence_number: z.number().int() });
const streamError = z.object({ type: z.literal("error"), code: z.string(), message: z.string(), param: z.null() });
const responseEvents = eventStream(
  "One event of the stream (the schema describes each event, as OpenAPI 3.2's itemSchema does): " +
    "OpenAI's Responses events, named by their `type` and numbered by `sequence_number`, from " +
    "response.created to response.completed, response.failed or response.cancelled; `error` when it breaks off.",
  [
    sseEvent({ type: "string", pattern: "^response\\.[a-z_.]+$" }, jsonData(responseEvent)),
    sseEvent({ const: "error" }, jsonData(streamError)),
  ],
);
const responseId = z.object({ id: queryIdSchema });
const secured = [{ bearer: [] }];

/** The OpenAI-compatible routes, for the OpenAPI document. */
export const openAiPaths: RouteConfig[] = [
  {
    method: "post",
    path: "/v1/chat/completions",
    summary: "OpenAI Chat Completions (plain or streamed), run as a query on the queue",
    security: secured,
    request: {
      headers: z.object({ "x-conversation-id": conversationIdSchema.optional() }),
      body: { content: { "application/json": { schema: chatCompletionBodySchema } } },
    },
    responses: {
      200: {
        description: "The completion, or with stream: true chat.completion.chunk events and data: [DONE]",
        content: { "application/json": { schema: completion }, ...chatEvents },
      },
      ...errors,
      ...bodyErrors,
      ...runErrors,
    },
  },
  {
    method: "post",
    path: "/v1/responses",
    summary: "OpenAI Responses: background (poll, cancel, resume), waited for, or streamed",
    security: secured,
    request: { body: { content: { "application/json": { schema: createResponseBodySchema } } } },
    responses: {
      200: {
        description: "The response (queued when background), or its events",
        content: { "application/json": { schema: response }, ...responseEvents },
      },
      ...errors,
      ...bodyErrors,
      504: runErrors[504],
    },
  },
  {
    method: "get",
    path: "/v1/responses/{id}",
    summary: "Poll a response, or with stream=true replay its events after starting_after",
    security: secured,
    request: { params: responseId, query: retrieveQuerySchema },
    responses: {
      200: {
        description: "The response, or its events",
        content: { "application/json": { schema: response }, ...responseEvents },
      },
      ...errors,
    },
  },
  {
    method: "post",
    path: "/v1/responses/{id}/cancel",
    summary: "Cancel a queued or running response (a finished one is answered as it is)",
    security: secured,
    request: { params: responseId },
    responses: {
      200: { description: "The response", content: { "application/json": { schema: response } } },
      ...errors,
    },
  },
];
