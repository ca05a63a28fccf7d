import { describe, expect, it } from "vitest";
import { classifyProviderError, ProviderError } from "../src/index.js";

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { response: { status } });

describe("classifyProviderError", () => {
  it("treats 429 as rate limited, 408 and 5xx as unavailable and other 4xx as rejected", () => {
    expect((classifyProviderError(httpError(429)) as ProviderError).kind).toBe("rate_limited");
    for (const status of [408, 500, 502, 503]) {
      expect((classifyProviderError(httpError(status)) as ProviderError).kind).toBe("unavailable");
    }
    for (const status of [400, 401, 404, 422]) {
      expect((classifyProviderError(httpError(status)) as ProviderError).kind).toBe("rejected");
    }
  });

  it("treats fetch network failures as transient", () => {
    const classified = classifyProviderError(new TypeError("fetch failed"));
    expect(classified).toBeInstanceOf(ProviderError);
    expect((classified as ProviderError).kind).toBe("unavailable");
  });

  it("reads Retry-After from either client's error shape", () => {
    const replicateStyle = Object.assign(new Error("429"), {
      response: { status: 429, headers: new Headers({ "retry-after": "7" }) },
    });
    expect((classifyProviderError(replicateStyle) as ProviderError).retryAfterMs).toBe(7000);
    const openaiStyle = Object.assign(new Error("429"), { status: 429, headers: new Headers({ "retry-after": "2" }) });
    expect((classifyProviderError(openaiStyle) as ProviderError).retryAfterMs).toBe(2000);
  });

  it("passes errors through untouched once the caller aborted", () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException("aborted", "AbortError");
    expect(classifyProviderError(abort, controller.signal)).toBe(abort);
  });
});
