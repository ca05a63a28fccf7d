import { queryIdSchema } from "@llm-chat/contracts";
import { z } from "zod";
import { conversationMetadataSchema, ignoredChatParameters } from "./chat-schema.js";

const inputContent = z.union([
  z.string(),
  z.array(
    z.object({
      type: z.enum(["input_text", "output_text"], "only input_text and output_text parts are supported"),
      text: z.string(),
    }),
  ),
]);

const inputMessageSchema = z.object({
  type: z.literal("message", "only message items are supported").optional(),
  role: z.enum(["system", "developer", "user", "assistant"], "must be system, developer, user or assistant"),
  content: inputContent,
});

/** POST /v1/responses: OpenAI's request, as far as llm-chat can honour it. */
export const createResponseBodySchema = z.strictObject({
  ...ignoredChatParameters,
  model: z.string().min(1).max(128),
  input: z.union([z.string(), z.array(inputMessageSchema).min(1, "must hold at least one item").max(1000)]),
  instructions: z.string().max(32_000).nullable().optional(),
  background: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  previous_response_id: z.string().max(64).nullable().optional(),
  max_output_tokens: z.number().int().min(1).max(8192).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  /** llm-chat extension: `conversation_id` appends to one of the caller's conversations. */
  metadata: conversationMetadataSchema,
  // Every response is stored: it is a query like any other.
  store: z.literal(true, "llm-chat stores every response; leave store out or set it to true").nullable().optional(),
  text: z.object({ format: z.object({ type: z.literal("text", "only text output is supported") }) }).optional(),
  tools: z.array(z.unknown()).max(0, "tools are not supported").optional(),
  truncation: z.enum(["auto", "disabled"]).nullable().optional(),
});
export type CreateResponseBody = z.infer<typeof createResponseBodySchema>;

export const retrieveQuerySchema = z.object({
  stream: z.enum(["true", "false"], "must be true or false").optional(),
  starting_after: z.coerce.number().int().min(-1).optional(),
});

export const isResponseId = (id: string) => queryIdSchema.safeParse(id).success;

/**
 * The input as role-tagged texts, with the instructions as a system message. It goes last
 * so that error positions stay those of `input` (system texts are gathered wherever they stand).
 */
export function inputMessages(body: CreateResponseBody) {
  const items =
    typeof body.input === "string"
      ? [{ role: "user" as const, text: body.input }]
      : body.input.map((m) => ({
          role: m.role,
          text: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join(""),
        }));
  return body.instructions ? [...items, { role: "system" as const, text: body.instructions }] : items;
}
