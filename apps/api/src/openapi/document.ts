import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import {
  apiKeyIdSchema,
  apiKeySchema,
  conversationIdSchema,
  conversationSchema,
  conversationWithMessagesSchema,
  createApiKeyBodySchema,
  createConversationBodySchema,
  deliverySchema,
  loginBodySchema,
  messageSchema,
  modelListSchema,
  pageQuerySchema,
  queryEventNames,
  queryEventSchemas,
  queryIdSchema,
  querySchema,
  queryStatusSchema,
  refreshBodySchema,
  registerBodySchema,
  registerResponseSchema,
  submitQueryBodySchema,
  tokenPairSchema,
} from "@llm-chat/contracts";
import { z } from "zod";
import { IDEMPOTENCY_KEY } from "../http/idempotency-key.js";
import { openAiPaths } from "../openai/openapi-paths.js";
import { problemResponse, retryAfter, surfaceResponses } from "./common-responses.js";
import { eventStream, jsonData, sseEvent } from "./sse-event-schema.js";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });
const problems = {
  403: problemResponse("Not an operator"),
  422: problemResponse("Validation failed; `errors` names each field"),
  429: problemResponse("Rate limited, or too many failed authentications", true),
};
/** A query's events; a resumed stream's first event follows Last-Event-ID. */
const queryEvents = eventStream(
  "One event of the stream (the schema describes each event, as OpenAPI 3.2's itemSchema does): " +
    "`status` events, `output` deltas in order, then one `done`, after which the server ends the stream. " +
    "`id` is the position to resume from with Last-Event-ID. Comment lines keep the connection alive.",
  queryEventNames.map((name) =>
    sseEvent({ const: name }, jsonData(queryEventSchemas[name]), { type: "string", pattern: "^[0-9]+-[0-9]+$" }),
  ),
);
const page = (item: z.ZodType) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
const idParams = (schema: z.ZodType) => z.object({ id: schema });
const noContent = { description: "Done" };
const secured = [{ bearer: [] }];

/** Every route of the API, described with the same zod schemas its handlers validate with. */
const routes: RouteConfig[] = [
  {
    method: "post",
    path: "/v1/auth/register",
    summary: "Create an account and its first API key",
    request: { body: { content: { "application/json": { schema: registerBodySchema } } } },
    responses: {
      201: json(registerResponseSchema, "The account; the key's secret is shown only here"),
      409: problemResponse("Email already registered"),
      429: problems[429],
    },
  },
  {
    method: "post",
    path: "/v1/auth/login",
    summary: "Exchange email and password for tokens",
    request: { body: { content: { "application/json": { schema: loginBodySchema } } } },
    responses: {
      200: json(tokenPairSchema, "Access and refresh token"),
      401: problemResponse("Wrong email or password"),
      429: problems[429],
    },
  },
  {
    method: "post",
    path: "/v1/auth/refresh",
    summary: "Exchange a refresh token (once) for a new pair",
    request: { body: { content: { "application/json": { schema: refreshBodySchema } } } },
    responses: {
      200: json(tokenPairSchema, "A new pair"),
      401: problemResponse("The refresh token is invalid, expired or already used"),
      429: problems[429],
    },
  },
  {
    method: "post",
    path: "/v1/auth/logout",
    summary: "Revoke the session of a refresh token",
    request: { body: { content: { "application/json": { schema: refreshBodySchema } } } },
    responses: { 204: noContent },
  },
  {
    method: "get",
    path: "/v1/models",
    summary: "The models this deployment serves",
    security: secured,
    responses: { 200: json(modelListSchema, "Models") },
  },
  {
    method: "post",
    path: "/v1/conversations",
    summary: "Start a conversation",
    security: secured,
    request: { body: { content: { "application/json": { schema: createConversationBodySchema } } } },
    responses: { 201: json(conversationSchema, "The conversation") },
  },
  {
    method: "get",
    path: "/v1/conversations",
    summary: "Own conversations, newest first",
    security: secured,
    request: { query: pageQuerySchema },
    responses: { 200: json(page(conversationSchema), "A page"), 422: problems[422] },
  },
  {
    method: "get",
    path: "/v1/conversations/{id}",
    summary: "A conversation with the first page of its messages (100), in order",
    security: secured,
    request: { params: idParams(conversationIdSchema) },
    responses: { 200: json(conversationWithMessagesSchema, "The conversation") },
  },
  {
    method: "get",
    path: "/v1/conversations/{id}/messages",
    summary: "A page of a conversation's messages, oldest first (cursor from messagesNextCursor)",
    security: secured,
    request: { params: idParams(conversationIdSchema), query: pageQuerySchema },
    responses: { 200: json(page(messageSchema), "A page"), 422: problems[422] },
  },
  {
    method: "delete",
    path: "/v1/conversations/{id}",
    summary: "Delete a conversation, its messages, queries and state",
    security: secured,
    request: { params: idParams(conversationIdSchema) },
    responses: { 204: noContent },
  },
  {
    method: "post",
    path: "/v1/queries",
    summary: "Submit a prompt (Prefer: wait=N and Idempotency-Key honoured)",
    security: secured,
    request: {
      headers: z.object({
        prefer: z.string().optional().describe("wait=N: answer when done or after N (at most 60) seconds"),
        "idempotency-key": z
          .string()
          .regex(IDEMPOTENCY_KEY)
          .optional()
          .describe("Submit at most once per key within 24 hours"),
      }),
      body: { content: { "application/json": { schema: submitQueryBodySchema } } },
    },
    responses: {
      200: json(querySchema, "Finished within Prefer: wait, or an idempotent replay"),
      202: json(querySchema, "Accepted"),
      404: problemResponse("The conversation is not found (or not yours)"),
      // Two 409s: the first request with this key is still being accepted (Retry-After says
      // when to look again), or the query it created has since been deleted (no retry helps).
      409: {
        ...problemResponse(
          "A request with this Idempotency-Key is still being accepted (with Retry-After), or its query was deleted",
        ),
        headers: { "Retry-After": { ...retryAfter["Retry-After"], required: false } },
      },
      429: problemResponse("Rate limited, or too many open queries", true),
      503: problemResponse("A backing service is unreachable, or the query could not be queued", true),
    },
  },
  {
    method: "get",
    path: "/v1/queries",
    summary: "Own queries, newest first",
    security: secured,
    request: {
      query: pageQuerySchema.extend({
        conversationId: conversationIdSchema.optional(),
        status: queryStatusSchema.optional(),
      }),
    },
    responses: { 200: json(page(querySchema), "A page"), 422: problems[422] },
  },
  {
    method: "get",
    path: "/v1/queries/{id}",
    summary: "Poll a query",
    security: secured,
    request: { params: idParams(queryIdSchema) },
    responses: { 200: json(querySchema, "The query") },
  },
  {
    method: "post",
    path: "/v1/queries/{id}/cancel",
    summary: "Cancel a queued or running query",
    security: secured,
    request: { params: idParams(queryIdSchema) },
    responses: { 200: json(querySchema, "Canceled"), 409: problemResponse("The query has already finished") },
  },
  {
    method: "get",
    path: "/v1/queries/{id}/events",
    summary: "Server-Sent Events: status, output deltas, done (Last-Event-ID resumes)",
    security: secured,
    request: {
      params: idParams(queryIdSchema),
      headers: z.object({
        "last-event-id": z.string().optional().describe("Resume after this event's id (a malformed one replays all)"),
      }),
    },
    responses: {
      200: { description: "The query's events until `done`", content: queryEvents },
      429: problemResponse("Rate limited, or too many open streams", true),
    },
  },
  {
    method: "get",
    path: "/v1/queries/{id}/deliveries",
    summary: "Webhook delivery attempts of a query",
    security: secured,
    request: { params: idParams(queryIdSchema) },
    responses: { 200: json(z.object({ data: z.array(deliverySchema) }), "Attempts") },
  },
  {
    method: "get",
    path: "/v1/webhook-secret",
    summary: "Your webhook signing secret",
    security: secured,
    responses: { 200: json(z.object({ secret: z.string() }), "whsec_…") },
  },
  {
    method: "post",
    path: "/v1/webhook-secret/rotate",
    summary: "Replace your webhook signing secret",
    security: secured,
    responses: { 200: json(z.object({ secret: z.string() }), "The new secret") },
  },
  {
    method: "post",
    path: "/v1/api-keys",
    summary: "Create an API key (secret shown once)",
    security: secured,
    request: { body: { content: { "application/json": { schema: createApiKeyBodySchema } } } },
    responses: {
      201: json(apiKeySchema.extend({ secret: z.string() }), "The key"),
      401: problemResponse("Missing or invalid credentials, or (with an access token) the password is wrong"),
      404: problemResponse("The account is gone"),
      422: problemResponse("Validation failed, or the password is missing with an access token"),
    },
  },
  {
    method: "get",
    path: "/v1/api-keys",
    summary: "Your live API keys",
    security: secured,
    responses: { 200: json(z.object({ data: z.array(apiKeySchema) }), "Keys") },
  },
  {
    method: "delete",
    path: "/v1/api-keys/{id}",
    summary: "Revoke an API key at once",
    security: secured,
    request: { params: idParams(apiKeyIdSchema) },
    responses: { 204: noContent },
  },
  {
    method: "get",
    path: "/v1/admin/queues",
    summary: "Job counts per queue (admins)",
    security: secured,
    responses: {
      200: json(z.object({ queues: z.record(z.string(), z.record(z.string(), z.number())) }), "Counts"),
      403: problems[403],
    },
  },
  {
    method: "get",
    path: "/healthz",
    summary: "Liveness",
    responses: { 200: json(z.object({ status: z.literal("ok") }), "Up") },
  },
  {
    method: "get",
    path: "/readyz",
    summary: "Readiness: Redis and MongoDB reachable, not shutting down",
    responses: {
      200: json(z.object({ status: z.string() }), "Ready"),
      503: json(z.object({ status: z.string() }), "Not ready"),
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    responses: {
      200: { description: "OpenAPI 3.1", content: { "application/json": { schema: z.object({}).loose() } } },
    },
  },
];

/** A /v1 route's own answers over those its middleware gives (common-responses.ts). */
function withSurface(route: RouteConfig): RouteConfig {
  if (!route.path.startsWith("/v1/")) return route;
  const surface = {
    secured: route.security !== undefined,
    body: route.request?.body !== undefined,
    pathId: route.request?.params !== undefined,
  };
  return { ...route, responses: { ...surfaceResponses(surface), ...route.responses } };
}

export function openApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key (llmc_…) or an access token from /v1/auth/login",
  });
  for (const route of [...routes.map(withSurface), ...openAiPaths]) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "llm-chat",
      version: "1.0.0",
      description:
        "Asynchronous chat backend for large language models. Errors are RFC 9457 problem+json, except on " +
        "the OpenAI-compatible routes (/v1/chat/completions, /v1/responses…), which answer OpenAI's " +
        "{error: {message, type, param, code}}. A method a documented path does not take is answered " +
        "405 with an Allow header listing the methods it does take.",
    },
  }) as unknown as Record<string, unknown>;
}
