/**
 * Validates a chat completions body the way OpenAI (and vLLM) do, with their
 * error wording, so a client bug shows up as the 400 it would get in
 * production.
 */
import { isJsonObject, type JsonObject } from "../shared/http-json.js";
import { invalidRequest, type OpenAIErrorBody } from "./error.js";
import type { ChatContentPart, ChatMessage } from "./types.js";

const ROLES = ["system", "developer", "user", "assistant", "tool", "function"] as const;

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
  /** max_completion_tokens, else max_tokens, when either is set. */
  maxTokens: number | undefined;
  body: JsonObject;
}

export type ParsedChatRequest = { ok: true; request: ChatRequest } | { ok: false; error: OpenAIErrorBody };

/** How OpenAI names a JSON value's type in its messages: "an integer", "a string", ... */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function wrongType(param: string, expected: string, value: unknown): OpenAIErrorBody {
  return invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`,
    param,
    "invalid_type",
  );
}

function missing(param: string): OpenAIErrorBody {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: OpenAIErrorBody };

function isContentPart(value: unknown): value is ChatContentPart {
  if (!isJsonObject(value) || typeof value.type !== "string") return false;
  return value.type !== "text" || typeof value.text === "string";
}

function checkMessage(value: unknown, index: number): Checked<ChatMessage> {
  const param = `messages[${index}]`;
  if (!isJsonObject(value)) return { ok: false, error: wrongType(param, "an object", value) };
  const { role, content } = value;
  if (role === undefined) return { ok: false, error: missing(`${param}.role`) };
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) {
    const supported = ROLES.map((name) => `'${name}'`).join(", ");
    const message = `Invalid value: ${JSON.stringify(role)}. Supported values are: ${supported}.`;
    return { ok: false, error: invalidRequest(message, `${param}.role`, "invalid_value") };
  }
  if (content === undefined || content === null) {
    // Only an assistant turn that called tools may leave its content out.
    if (role === "assistant") return { ok: true, value: { ...value, role, content: null } };
    return { ok: false, error: missing(`${param}.content`) };
  }
  if (typeof content === "string") return { ok: true, value: { ...value, role, content } };
  if (!Array.isArray(content)) {
    return { ok: false, error: wrongType(`${param}.content`, "one of a string or array of objects", content) };
  }
  if (!content.every(isContentPart)) {
    const part = `${param}.content[${content.findIndex((entry) => !isContentPart(entry))}]`;
    const message = `Invalid content part at '${part}': expected an object with a string 'type' (and a string 'text' for text parts).`;
    return { ok: false, error: invalidRequest(message, part, "invalid_type") };
  }
  return { ok: true, value: { ...value, role, content } };
}

function checkMessages(value: unknown): Checked<ChatMessage[]> {
  if (value === undefined || value === null) return { ok: false, error: missing("messages") };
  if (!Array.isArray(value)) return { ok: false, error: wrongType("messages", "an array of objects", value) };
  if (value.length === 0) {
    const message =
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
    return { ok: false, error: invalidRequest(message, "messages", "empty_array") };
  }
  const messages: ChatMessage[] = [];
  for (const [index, entry] of value.entries()) {
    const checked = checkMessage(entry, index);
    if (!checked.ok) return checked;
    messages.push(checked.value);
  }
  return { ok: true, value: messages };
}

/** A number within bounds, or absent/null. */
function checkRange(
  body: JsonObject,
  param: string,
  bounds: { min: number; max: number; integer: boolean },
): OpenAIErrorBody | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || (bounds.integer && !Number.isInteger(value))) {
    return wrongType(param, bounds.integer ? "an integer" : "a number", value);
  }
  if (value < bounds.min || value > bounds.max) {
    const expected = `a value between ${bounds.min} and ${bounds.max}`;
    return invalidRequest(
      `Invalid '${param}': expected ${expected}, but got ${value} instead.`,
      param,
      "invalid_value",
    );
  }
  return undefined;
}

function checkStreaming(body: JsonObject): OpenAIErrorBody | undefined {
  const { stream, stream_options: options } = body;
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    return wrongType("stream", "a boolean", stream);
  }
  if (options === undefined || options === null) return undefined;
  if (!isJsonObject(options)) return wrongType("stream_options", "an object", options);
  // OpenAI and vLLM both refuse this combination; Ollama ignores it.
  if (stream !== true) {
    const message = "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
    return invalidRequest(message, "stream_options", "invalid_value");
  }
  const include = options.include_usage;
  if (include !== undefined && include !== null && typeof include !== "boolean") {
    return wrongType("stream_options.include_usage", "a boolean", include);
  }
  return undefined;
}

const TOKEN_LIMIT = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };

function checkParameters(body: JsonObject): OpenAIErrorBody | undefined {
  return (
    checkStreaming(body) ??
    checkRange(body, "max_tokens", TOKEN_LIMIT) ??
    checkRange(body, "max_completion_tokens", TOKEN_LIMIT) ??
    checkRange(body, "temperature", { min: 0, max: 2, integer: false }) ??
    checkRange(body, "top_p", { min: 0, max: 1, integer: false })
  );
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (!isJsonObject(body)) {
    const message = `Invalid type for request body: expected an object, but got ${describe(body)} instead.`;
    return { ok: false, error: invalidRequest(message) };
  }
  const { model } = body;
  if (model === undefined || model === null || model === "") {
    return { ok: false, error: invalidRequest("you must provide a model parameter", "model") };
  }
  if (typeof model !== "string") return { ok: false, error: wrongType("model", "a string", model) };
  const messages = checkMessages(body.messages);
  if (!messages.ok) return messages;
  const problem = checkParameters(body);
  if (problem !== undefined) return { ok: false, error: problem };

  const options = isJsonObject(body.stream_options) ? body.stream_options : {};
  return {
    ok: true,
    request: {
      model,
      messages: messages.value,
      stream: body.stream === true,
      includeUsage: options.include_usage === true,
      maxTokens: optionalNumber(body.max_completion_tokens) ?? optionalNumber(body.max_tokens),
      body,
    },
  };
}
