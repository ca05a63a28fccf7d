import type { ZodMediaTypeObject } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) object. */
export type JsonSchema = { [keyword: string]: unknown };

/** JSON Schema of what a zod schema gives as output (the shape a response carries). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" });
  return rest;
}

/** A `data:` field that carries JSON text, described by `contentSchema`. */
export const jsonData = (schema: z.ZodType): JsonSchema => ({
  type: "string",
  contentMediaType: "application/json",
  contentSchema: jsonSchemaOf(schema),
});

/**
 * One Server-Sent Event as a client's parser sees it: `event` (a nameless event is
 * "message"), `data` and, where sent, `id`. OpenAPI 3.1 has no keyword for one item of a
 * stream; the `text/event-stream` schemas of this document describe ONE event, as 3.2's
 * `itemSchema` does (Schemathesis reads a 3.1 event-stream schema that way too).
 */
export function sseEvent(event: JsonSchema, data: JsonSchema, id?: JsonSchema): JsonSchema {
  return {
    type: "object",
    required: ["event", "data"],
    properties: { event, data, ...(id ? { id } : {}) },
    additionalProperties: false,
  };
}

/** A `text/event-stream` media type whose events are `oneOf` the given ones. */
export function eventStream(
  description: string,
  events: JsonSchema[],
): Record<"text/event-stream", ZodMediaTypeObject> {
  // A plain JSON Schema: zod-to-openapi passes such a schema through untouched.
  const schema = { description, oneOf: events } as ZodMediaTypeObject["schema"];
  return { "text/event-stream": { schema } };
}
