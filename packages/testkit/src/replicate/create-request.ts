/**
 * Validates a create-prediction body the way Replicate does, answering with
 * its 422 vocabulary (`invalid_fields`, "- field: problem" detail lines).
 */
import { createHash } from "node:crypto";
import { isJsonObject } from "../shared/http-json.js";

// A bare version id does not say which model it belongs to.
const UNKNOWN_MODEL = "unknown/unknown";

export interface InvalidField {
  type: "required" | "invalid_type";
  field: string;
  description: string;
}

export interface CreateRequest {
  model: string;
  version: string;
  input: Record<string, unknown>;
  prompt: string;
  /** `"stream": true` in the body: the client wants `urls.stream`. */
  stream: boolean;
  webhook?: string;
  webhookEventsFilter?: string[];
}

export type CreateTarget = { kind: "model"; model: string } | { kind: "version" };

export type ParsedCreate = { ok: true; request: CreateRequest } | { ok: false; invalid: InvalidField[] };

/** Stable fake version id, so every prediction of one model shares it. */
export function versionOf(model: string): string {
  return createHash("sha256").update(model).digest("hex");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function wrongType(field: string, expected: string, value: unknown): InvalidField {
  return { type: "invalid_type", field, description: `Invalid type. Expected: ${expected}, given: ${describe(value)}` };
}

/** `owner/name:version`, `owner/name` or a bare version id. */
function resolveVersion(version: string): { model: string; version: string } {
  const colon = version.indexOf(":");
  if (colon !== -1) return { model: version.slice(0, colon), version: version.slice(colon + 1) };
  if (version.includes("/")) return { model: version, version: versionOf(version) };
  return { model: UNKNOWN_MODEL, version };
}

export function parseCreate(body: unknown, target: CreateTarget): ParsedCreate {
  if (!isJsonObject(body)) return { ok: false, invalid: [wrongType("(root)", "object", body)] };
  const invalid: InvalidField[] = [];

  let resolved = { model: "", version: "" };
  if (target.kind === "model") {
    resolved = { model: target.model, version: versionOf(target.model) };
  } else if (typeof body.version === "string" && body.version !== "") {
    resolved = resolveVersion(body.version);
  } else if (body.version === undefined) {
    invalid.push({ type: "required", field: "version", description: "version is required" });
  } else {
    invalid.push(wrongType("version", "string", body.version));
  }

  const { input, stream, webhook, webhook_events_filter: filter } = body;
  let prompt = "";
  if (input === undefined) {
    invalid.push({ type: "required", field: "input", description: "input is required" });
  } else if (!isJsonObject(input)) {
    invalid.push(wrongType("input", "object", input));
  } else if (typeof input.prompt === "string") {
    prompt = input.prompt;
  } else if (input.prompt === undefined) {
    invalid.push({ type: "required", field: "input", description: "prompt is required" });
  } else {
    invalid.push(wrongType("input.prompt", "string", input.prompt));
  }
  if (stream !== undefined && typeof stream !== "boolean") invalid.push(wrongType("stream", "boolean", stream));
  if (webhook !== undefined && typeof webhook !== "string") invalid.push(wrongType("webhook", "string", webhook));
  const filterIsValid = filter === undefined || (Array.isArray(filter) && filter.every((e) => typeof e === "string"));
  if (!filterIsValid) invalid.push(wrongType("webhook_events_filter", "array of strings", filter));

  if (invalid.length > 0 || !isJsonObject(input)) return { ok: false, invalid };
  const request: CreateRequest = { ...resolved, input, prompt, stream: stream === true };
  if (typeof webhook === "string") request.webhook = webhook;
  if (Array.isArray(filter)) request.webhookEventsFilter = filter.filter((e): e is string => typeof e === "string");
  return { ok: true, request };
}

export function invalidDetail(invalid: readonly InvalidField[]): string {
  return invalid.map((field) => `- ${field.field}: ${field.description}\n`).join("");
}
