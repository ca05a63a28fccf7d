import { describe, expect, it } from "vitest";
import { problemType } from "../src/http/problem.js";
import { problemFromDomain } from "../src/http/problem-from-domain.js";
import { fromDomainError } from "../src/openai/openai-error.js";
import { DomainError, type DomainErrorCode, domainErrorCodes, notFound } from "../src/use-cases/domain-error.js";

// The answers clients and the OpenAPI document know; a change here is a change of the HTTP contract.
const answers: [DomainErrorCode, number, string, string | null][] = [
  ["not_found", 404, "Not found", null],
  ["conversation_not_found", 404, "Conversation not found", null],
  ["invalid_input", 422, "Validation failed", null],
  ["model_unknown", 422, "Unknown model", null],
  ["model_mismatch", 422, "Model mismatch", null],
  ["prompt_too_large", 422, "Prompt too large", null],
  ["webhook_target_refused", 422, "Webhook URL refused", null],
  ["query_finished", 409, "Query already finished", null],
  ["too_many_open_queries", 429, "Too many open queries", "5"],
  ["idempotency_key_reused", 422, "Idempotency key reused", null],
  ["idempotency_in_progress", 409, "Request in progress", "1"],
  ["idempotency_key_used", 409, "Idempotency key used", null],
  ["email_taken", 409, "Email already registered", null],
  ["unavailable", 503, "Service unavailable", "5"],
];

/** A refusal of `code` as its use case raises it: with Retry-After where it says when to try again. */
const refusal = (code: DomainErrorCode, retryAfter: string | null) =>
  new DomainError(code, `refused: ${code}`, [], retryAfter === null ? undefined : Number(retryAfter));

describe("answering a use case's refusal in problem+json", () => {
  it.each(answers)("answers %s with status %i and the title %j", (code, status, title, retryAfter) => {
    const problem = problemFromDomain(refusal(code, retryAfter));
    expect(problem.status).toBe(status);
    expect(problem.title).toBe(title);
    expect(problem.detail).toBe(`refused: ${code}`);
    expect(problem.headers).toEqual(retryAfter === null ? {} : { "Retry-After": retryAfter });
  });

  it("pins the answer of every code there is, each with a problem type of its own", () => {
    expect(answers.map(([code]) => code).sort()).toEqual([...domainErrorCodes].sort());
    const types = answers.map(([code, , , retryAfter]) =>
      problemType(problemFromDomain(refusal(code, retryAfter)).title),
    );
    expect(types).toContain("urn:llm-chat:problem:query-already-finished");
    expect(new Set(types).size).toBe(answers.length);
  });

  it("says Retry-After in whole seconds as the use case gave it", () => {
    const problem = problemFromDomain(new DomainError("too_many_open_queries", "full", [], 30));
    expect(problem.headers).toEqual({ "Retry-After": "30" });
  });

  it("passes the fields a refusal is about on as errors, and leaves errors out when there are none", () => {
    const field = { in: "body" as const, pointer: "/webhook/url", message: "resolves to a private address" };
    expect(problemFromDomain(new DomainError("webhook_target_refused", "webhook.url x", [field])).errors).toEqual([
      field,
    ]);
    expect(problemFromDomain(notFound("query"))).toMatchObject({ detail: "query not found", errors: undefined });
  });
});

describe("answering a use case's refusal in OpenAI's envelope", () => {
  const model = { in: "body" as const, pointer: "/model", message: "unknown model" };
  const prompt = { in: "body" as const, pointer: "/prompt", message: "5000 tokens; at most 3000 fit" };

  it("answers an unknown model 404 model_not_found and a prompt that cannot fit context_length_exceeded", () => {
    expect(fromDomainError(new DomainError("model_unknown", "no such model", [model])).body).toEqual({
      error: { message: "no such model", type: "invalid_request_error", param: "model", code: "model_not_found" },
    });
    expect(fromDomainError(new DomainError("model_unknown", "no such model", [model])).status).toBe(404);
    const tooLarge = fromDomainError(new DomainError("prompt_too_large", "too large", [prompt]), {
      "/prompt": "input",
    });
    expect([tooLarge.status, tooLarge.param, tooLarge.code]).toEqual([400, "input", "context_length_exceeded"]);
  });

  it("answers other refusals as their problem converts: field errors 400 naming OpenAI's parameter", () => {
    const budget = new DomainError("invalid_input", "too many", [
      { in: "body", pointer: "/params/maxTokens", message: "at most 4095" },
    ]);
    const answer = fromDomainError(budget, { "/params/maxTokens": "max_tokens" });
    expect([answer.status, answer.type, answer.param, answer.code]).toEqual([
      400,
      "invalid_request_error",
      "max_tokens",
      null,
    ]);
    const missing = fromDomainError(notFound("query"));
    expect([missing.status, missing.code]).toEqual([404, "not_found"]);
  });

  it("keeps Retry-After on a refusal that says when to try again", () => {
    const full = fromDomainError(new DomainError("too_many_open_queries", "full", [], 5));
    expect([full.status, full.type, full.code, full.headers]).toEqual([
      429,
      "requests",
      "rate_limit_exceeded",
      { "Retry-After": "5" },
    ]);
    const down = fromDomainError(new DomainError("unavailable", "not queued", [], 5));
    expect([down.status, down.type, down.headers]).toEqual([503, "server_error", { "Retry-After": "5" }]);
  });
});
