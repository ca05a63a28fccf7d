import { queryEventNames, queryEventSchemas } from "@llm-chat/contracts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi/document.js";
import { servedRoutes } from "../src/openapi/served-routes.js";
import { jsonSchemaOf } from "../src/openapi/sse-event-schema.js";
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

  it("describes each event of a query's stream, by name, with the schemas the event log writes", () => {
    interface EventSchema {
      properties: { event: { const: string }; data: { contentMediaType: string; contentSchema: unknown } };
    }
    const document = openApiDocument() as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const stream = document.paths["/v1/queries/{id}/events"]?.get.responses["200"]?.content["text/event-stream"]
      ?.schema as { oneOf: EventSchema[] };
    expect(stream.oneOf.map((event) => event.properties.event.const)).toEqual(queryEventNames);
    for (const event of stream.oneOf) {
      const name = event.properties.event.const as keyof typeof queryEventSchemas;
      expect(event.properties.data.contentMediaType).toBe("application/json");
      expect(event.properties.data.contentSchema).toEqual(jsonSchemaOf(queryEventSchemas[name]));
    }
  });
});
