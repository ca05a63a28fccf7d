import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerMatches, createMetrics, routeKey, startMetricsServer } from "../../src/index.js";

describe("routeKey", () => {
  it.each(["/metrics", "/METRICS", "/metrics/", "/Metrics/", "/metrics?name=x"])("reads %s as /metrics", (url) => {
    expect(routeKey(url)).toBe("/metrics");
  });

  it("keeps the root and other paths apart", () => {
    expect(routeKey("/")).toBe("/");
    expect(routeKey("/metricsx")).toBe("/metricsx");
    expect(routeKey("/metrics//")).toBe("/metrics/");
  });
});

describe("bearerMatches", () => {
  const token = "scrape-token-0123456789abcdef";

  it("accepts exactly the token, with Express-like tolerance for the scheme's case", () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
  });

  it.each([
    undefined,
    "",
    token,
    `Basic ${token}`,
    `Bearer ${token}x`,
    `Bearer ${token.slice(0, -1)}`,
    `Bearer ${token} extra`,
  ])("refuses %j", (header) => {
    expect(bearerMatches(header, token)).toBe(false);
  });
});

describe("startMetricsServer", () => {
  const metrics = createMetrics("api");
  let base = "";
  let close: () => void = () => undefined;

  beforeAll(async () => {
    const { server, port } = await startMetricsServer(metrics, {
      host: "127.0.0.1",
      port: 0,
      token: "scrape-token-0123456789abcdef",
      routes: { "/healthz": async () => ({ status: 200, type: "application/json", body: '{"status":"ok"}' }) },
    });
    base = `http://127.0.0.1:${port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("answers /metrics only with the token, and leaves extra routes open", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${base}/METRICS/`, {
      headers: { authorization: "Bearer scrape-token-0123456789abcdef" },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("# TYPE llmchat_http_requests_total counter");
    expect((await fetch(`${base}/HEALTHZ`)).status).toBe(200);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  });
});
