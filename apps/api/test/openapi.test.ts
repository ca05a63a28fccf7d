import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi/document.js";
import { servedRoutes } from "../src/openapi/served-routes.js";
import { buildTestApp } from "./build-test-app.js";

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and lists exactly the routes the app serves", async () => {
    const { app, close } = await buildTestApp();
    try {
      const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(document.openapi).toBe("3.1.0");
      const documented = Object.entries(document.paths)
        .flatMap(([path, methods]) =>
          Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
        )
        .sort();
      const served = servedRoutes(app)
        .filter((r) => !r.startsWith("GET /docs") && !r.includes("/admin/queues/") && r !== "GET /admin/queues")
        .sort();
      expect(documented).toEqual(served);
    } finally {
      await close();
    }
  });

  it("is a valid OpenAPI 3.1 document by the specification's own schema", async () => {
    const result = await new Validator().validate(openApiDocument() as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes request bodies with the schemas the handlers validate with", () => {
    const document = openApiDocument() as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { required?: string[]; additionalProperties?: unknown } }>;
            };
          }
        >
      >;
    };
    const submit = document.paths["/v1/queries"]?.post?.requestBody?.content["application/json"]?.schema;
    expect(submit?.required).toEqual(["prompt"]);
    expect(submit?.additionalProperties).toBe(false);
  });
});
