import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import { conversationIdSchema, queryIdSchema } from "@llm-chat/contracts";
import { z } from "zod";
import { chatCompletionBodySchema } from "./chat-schema.js";
import { createResponseBodySchema, retrieveQuerySchema } from "./responses-schema.js";

const openAiError = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});
const errorAnswer = (description: string) => ({
  description,
  content: { "application/json": { schema: openAiError } },
});
const errors = {
  400: errorAnswer("Invalid request; `param` names the parameter"),
  401: errorAnswer("Missing or invalid API key"),
  404: errorAnswer("Unknown model, or no such response or conversation (or not yours)"),
  429: errorAnswer("Rate limited"),
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
const sse = { "text/event-stream": { schema: z.string() } };
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
        content: { "application/json": { schema: completion }, ...sse },
      },
      ...errors,
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
        content: { "application/json": { schema: response }, ...sse },
      },
      ...errors,
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
        content: { "application/json": { schema: response }, ...sse },
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
