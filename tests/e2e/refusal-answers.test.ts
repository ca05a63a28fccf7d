import type { Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

// Well-formed ids that name nothing.
const NO_CONVERSATION = "conv_01HZZZZZZZZZZZZZZZZZZZZZZZ";
const NO_QUERY = "qry_01HZZZZZZZZZZZZZZZZZZZZZZZ";
// Far more tokens than llama2's 4096 window, within the 32,000-character cap on a prompt.
const HUGE_PROMPT = Array.from({ length: 4000 }, (_, i) => `w${i}`).join(" ");

/** What a client sees of a refusal: status, the headers it acts on, and the whole body. */
async function refusal(url: string, path: string, options: Parameters<typeof call>[2]) {
  const res = await call(url, path, options);
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    retryAfter: res.headers.get("retry-after"),
    body: res.body,
  };
}

const problem = (status: number, title: string, slug: string, detail: string, errors?: unknown[]) => ({
  status,
  contentType: "application/problem+json; charset=utf-8",
  retryAfter: null,
  body: { type: `urn:llm-chat:problem:${slug}`, title, status, detail, ...(errors ? { errors } : {}) },
});

const openAi = (status: number, message: string, param: string | null, code: string | null) => ({
  status,
  contentType: "application/json; charset=utf-8",
  retryAfter: null,
  body: { error: { message, type: "invalid_request_error", param, code } },
});

// No worker: queries stay queued, so the cap on open queries and canceling can be reached at will.
describe("the answers to refused use cases", () => {
  let system: System;
  let url: string;
  let key: string;
  let conversationId: string;

  beforeAll(async () => {
    system = await startSystem({ workers: 0, env: { MAX_OPEN_QUERIES_PER_USER: "5" } });
    url = system.api.url;
    key = (await register(url)).key;
    const first = await call<Query>(url, "/v1/queries", { key, json: { prompt: "hold", model: "llama2" } });
    conversationId = first.body.conversationId;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = (json: unknown, headers: Record<string, string> = {}) =>
    refusal(url, "/v1/queries", { key, json, headers });

  it("names the conversation that does not exist, the model that is not served and the model that does not match", async () => {
    expect(await submit({ prompt: "hi", conversationId: NO_CONVERSATION })).toEqual(
      problem(404, "Conversation not found", "conversation-not-found", `conversation ${NO_CONVERSATION} not found`, [
        { in: "body", pointer: "/conversationId", message: "no such conversation" },
      ]),
    );
    const unknownModel = problem(
      422,
      "Unknown model",
      "unknown-model",
      'model "gpt-99" is not served here; known models: llama2, mistral',
      [{ in: "body", pointer: "/model", message: "unknown model; one of: llama2, mistral" }],
    );
    expect(await submit({ prompt: "hi", model: "gpt-99" })).toEqual(unknownModel);
    expect(await refusal(url, "/v1/conversations", { key, json: { model: "gpt-99" } })).toEqual(unknownModel);
    expect(await submit({ prompt: "hi", conversationId, model: "mistral" })).toEqual(
      problem(422, "Model mismatch", "model-mismatch", 'this conversation uses model "llama2"', [
        { in: "body", pointer: "/model", message: 'must be "llama2" or left out' },
      ]),
    );
    expect(await submit({ prompt: "hi", conversationId, system: "late" })).toEqual(
      problem(422, "Validation failed", "validation-failed", "system can only be set when a conversation starts", [
        { in: "body", pointer: "/system", message: "not allowed with conversationId" },
      ]),
    );
  });

  it("refuses an answer budget beyond the window, a prompt that cannot fit and a private webhook target", async () => {
    expect(await submit({ prompt: "hi", model: "llama2", params: { maxTokens: 5000 } })).toEqual(
      problem(422, "Validation failed", "validation-failed", "maxTokens must be below the model's window of 4096", [
        { in: "body", pointer: "/params/maxTokens", message: "at most 4095 for llama2" },
      ]),
    );
    const tooLarge = await submit({ prompt: HUGE_PROMPT, model: "llama2" });
    expect(tooLarge).toMatchObject({ status: 422, body: { type: "urn:llm-chat:problem:prompt-too-large" } });
    expect(tooLarge.body).toEqual({
      type: "urn:llm-chat:problem:prompt-too-large",
      title: "Prompt too large",
      status: 422,
      detail: expect.stringMatching(
        /^the prompt takes \d+ tokens with the system prompt; llama2 fits \d+ beside an answer of 512$/,
      ),
      errors: [{ in: "body", pointer: "/prompt", message: expect.stringMatching(/^\d+ tokens; at most \d+ fit$/) }],
    });
    const webhook = await submit({ prompt: "hi", webhook: { url: "http://127.0.0.1:9/hook" } });
    expect(webhook).toMatchObject({ status: 422, contentType: "application/problem+json; charset=utf-8" });
    expect(webhook.body).toEqual({
      type: "urn:llm-chat:problem:webhook-url-refused",
      title: "Webhook URL refused",
      status: 422,
      detail: expect.stringMatching(/^webhook\.url /),
      errors: [{ in: "body", pointer: "/webhook/url", message: expect.any(String) }],
    });
    expect(await submit({ prompt: "hi", webhook: { url: "ftp://example.com/hook" } })).toMatchObject({
      status: 422,
      body: { title: "Webhook URL refused", errors: [{ pointer: "/webhook/url" }] },
    });
  });

  it("answers canceling a missing query 404 and a finished one 409", async () => {
    expect(await refusal(url, `/v1/queries/${NO_QUERY}/cancel`, { key, method: "POST" })).toEqual(
      problem(404, "Not found", "not-found", "query not found"),
    );
    const held = await call<Query>(url, "/v1/queries", { key, json: { prompt: "to cancel", conversationId } });
    expect((await call(url, `/v1/queries/${held.body.id}/cancel`, { key, method: "POST" })).status).toBe(200);
    expect(await refusal(url, `/v1/queries/${held.body.id}/cancel`, { key, method: "POST" })).toEqual(
      problem(409, "Query already finished", "query-already-finished", "the query is canceled and cannot be canceled"),
    );
  });

  it("refuses a malformed idempotency key, a key reused with another body and a key whose query was deleted", async () => {
    expect(await submit({ prompt: "hi" }, { "idempotency-key": "with space" })).toEqual(
      problem(422, "Validation failed", "validation-failed", "Idempotency-Key must be 1–255 visible ASCII characters", [
        { in: "header", pointer: "/Idempotency-Key", message: "1–255 visible ASCII characters" },
      ]),
    );
    const idem = { "idempotency-key": `refusals-${Date.now()}` };
    const created = await call<Query>(url, "/v1/queries", {
      key,
      json: { prompt: "once", conversationId },
      headers: idem,
    });
    expect(created.status).toBe(202);
    expect(await submit({ prompt: "twice", conversationId }, idem)).toEqual(
      problem(
        422,
        "Idempotency key reused",
        "idempotency-key-reused",
        "this Idempotency-Key was used with a different request body",
        [{ in: "header", pointer: "/Idempotency-Key", message: "already used with a different body" }],
      ),
    );
    const other = await call<Query>(url, "/v1/queries", { key, json: { prompt: "own conversation" } });
    const gone = { "idempotency-key": `refusals-gone-${Date.now()}` };
    const body = { prompt: "then deleted", conversationId: other.body.conversationId };
    expect((await call(url, "/v1/queries", { key, json: body, headers: gone })).status).toBe(202);
    const deleted = await call(url, `/v1/conversations/${other.body.conversationId}`, { key, method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await submit(body, gone)).toEqual(
      problem(
        409,
        "Idempotency key used",
        "idempotency-key-used",
        "the query this Idempotency-Key created has since been deleted",
        [{ in: "header", pointer: "/Idempotency-Key", message: "use a new key for a new query" }],
      ),
    );
  });

  it("answers the OpenAI routes' refusals in OpenAI's envelope, naming OpenAI's parameters", async () => {
    const chat = (json: Record<string, unknown>, headers: Record<string, string> = {}) =>
      refusal(url, "/v1/chat/completions", {
        key,
        json: { messages: [{ role: "user", content: "hi" }], ...json },
        headers,
      });
    expect(await chat({ model: "gpt-99" })).toEqual(
      openAi(404, 'model "gpt-99" is not served here; known models: llama2, mistral', "model", "model_not_found"),
    );
    expect(await chat({ model: "llama2", max_tokens: 5000 })).toEqual(
      openAi(400, "maxTokens must be below the model's window of 4096", "max_tokens", null),
    );
    expect(await chat({ model: "llama2" }, { "x-conversation-id": NO_CONVERSATION })).toEqual(
      openAi(404, `conversation ${NO_CONVERSATION} not found`, "X-Conversation-Id", "not_found"),
    );
    expect(await chat({ model: "mistral" }, { "x-conversation-id": conversationId })).toEqual(
      openAi(400, 'this conversation uses model "llama2"', "model", null),
    );
    const tooLarge = await chat({ model: "llama2", messages: [{ role: "user", content: HUGE_PROMPT }] });
    expect(tooLarge).toMatchObject({
      status: 400,
      body: { error: { param: "messages", code: "context_length_exceeded" } },
    });
    const responses = await refusal(url, "/v1/responses", { key, json: { model: "llama2", input: HUGE_PROMPT } });
    expect(responses).toMatchObject({
      status: 400,
      body: { error: { param: "input", code: "context_length_exceeded" } },
    });
  });

  it("refuses a second account for an email", async () => {
    const { email } = await register(url);
    const again = await refusal(url, "/v1/auth/register", { json: { email, password: "another good password" } });
    expect(again).toEqual(
      problem(409, "Email already registered", "email-already-registered", "an account with this email exists", [
        { in: "body", pointer: "/email", message: "already registered" },
      ]),
    );
  });

  // Last: it fills the user's places for good.
  it("refuses a submit past the cap on open queries with Retry-After, in both envelopes", async () => {
    const own = await register(url);
    for (let i = 0; i < 5; i++) {
      expect((await call(url, "/v1/queries", { key: own.key, json: { prompt: `hold ${i}` } })).status).toBe(202);
    }
    expect(await refusal(url, "/v1/queries", { key: own.key, json: { prompt: "one more" } })).toEqual({
      ...problem(
        429,
        "Too many open queries",
        "too-many-open-queries",
        "at most 5 queries may be queued or running at once",
      ),
      retryAfter: "5",
    });
    const chat = await refusal(url, "/v1/chat/completions", {
      key: own.key,
      json: { model: "llama2", messages: [{ role: "user", content: "one more" }] },
    });
    expect(chat).toEqual({
      status: 429,
      contentType: "application/json; charset=utf-8",
      retryAfter: "5",
      body: {
        error: {
          message: "at most 5 queries may be queued or running at once",
          type: "requests",
          param: null,
          code: "rate_limit_exceeded",
        },
      },
    });
  });
});
