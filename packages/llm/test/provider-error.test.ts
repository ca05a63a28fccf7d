import { describe, expect, it } from "vitest";
import { classifyProviderError, ProviderError } from "../src/index.js";

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { response: { status } });

describe("classifyProviderError", () => {
  it("treats 429, 408 and 5xx as transient and other 4xx as rejected", () => {
    for (const status of [429, 408, 500, 502, 503]) {
      expect((classifyProviderError(httpError(status)) as ProviderError).kind).toBe("transient");
    }
    for (const status of [400, 401, 404, 422]) {
      expect((classifyProviderError(httpError(status)) as ProviderError).kind).toBe("rejected");
    }
  });

  it("treats fetch network failures as transient", () => {
    const classified = classifyProviderError(new TypeError("fetch failed"));
    expect(classified).toBeInstanceOf(ProviderError);
    expect((classified as ProviderError).kind).toBe("transient");
  });

  it("passes errors through untouched once the caller aborted", () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException("aborted", "AbortError");
    expect(classifyProviderError(abort, controller.signal)).toBe(abort);
  });
});
