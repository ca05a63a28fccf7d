import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi/document.js";

// The OpenAPI document is checked against Express's own route table (openapi.test.ts);
// this keeps the route table of docs/http-api.md in step with that document.
describe("docs/http-api.md", () => {
  it("has a row naming every operation of the OpenAPI document", () => {
    const page = readFileSync(new URL("../../../docs/http-api.md", import.meta.url), "utf8");
    const table = page.split("\n").filter((line) => line.startsWith("| `"));
    const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(operations.length).toBeGreaterThan(20);
    const missing = operations.filter((operation) => !table.some((row) => row.includes(`\`${operation}\``)));
    expect(missing).toEqual([]);
  });
});
