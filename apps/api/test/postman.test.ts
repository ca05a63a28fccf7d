import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi/document.js";
import { type PostmanCollection, type PostmanItem, postmanCollection } from "../src/openapi/postman.js";

const committedPath = new URL("../../../docs/postman/llm-chat.postman_collection.json", import.meta.url);
const REGENERATE = "regenerate it: pnpm build && pnpm --filter @llm-chat/api postman";

const items = (collection: PostmanCollection): PostmanItem[] => collection.item.flatMap((folder) => folder.item);

describe("the Postman collection", () => {
  const generated = postmanCollection(openApiDocument());

  it("is committed exactly as the OpenAPI document generates it", () => {
    // Compared as JSON: the file's whitespace is Biome's (the postman script formats it).
    const committed: unknown = JSON.parse(readFileSync(committedPath, "utf8"));
    expect(committed, `docs/postman is stale; ${REGENERATE}`).toEqual(generated);
  });

  it("has a request for every OpenAPI operation", () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    const requests = new Set(items(generated).map((i) => `${i.request.method} /${i.request.url.path.join("/")}`));
    expect(operations.length).toBeGreaterThan(20);
    for (const operation of operations) expect(requests, operation).toContain(operation);
  });

  it("authenticates with {{apiKey}} at the collection level, and not on public routes", () => {
    expect(generated.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
    expect(generated.auth).toEqual({ type: "bearer", bearer: [{ key: "token", value: "{{apiKey}}", type: "string" }] });
    expect(generated.variable.map((v) => v.key)).toEqual(expect.arrayContaining(["baseUrl", "apiKey", "queryId"]));
    const byName = new Map(items(generated).map((i) => [`${i.request.method} /${i.request.url.path.join("/")}`, i]));
    expect(byName.get("POST /v1/auth/register")?.request.auth).toEqual({ type: "noauth" });
    expect(byName.get("GET /healthz")?.request.auth).toEqual({ type: "noauth" });
    expect(byName.get("GET /v1/models")?.request.auth).toBeUndefined();
    for (const item of items(generated)) expect(item.request.url.raw.startsWith("{{baseUrl}}/")).toBe(true);
  });

  it("has a Submit and poll example that stores the query id and polls it", () => {
    const folder = generated.item.find((f) => f.name === "Submit and poll");
    const [submit, poll] = folder?.item ?? [];
    expect(submit?.request.method).toBe("POST");
    expect(submit?.request.url.raw).toBe("{{baseUrl}}/v1/queries");
    const script = submit?.event?.find((e) => e.listen === "test")?.script.exec.join("\n") ?? "";
    expect(script).toContain('pm.collectionVariables.set("queryId", query.id)');
    expect(poll?.request.method).toBe("GET");
    expect(poll?.request.url.raw).toBe("{{baseUrl}}/v1/queries/{{queryId}}");
  });
});
