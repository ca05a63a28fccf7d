/**
 * A Postman Collection (v2.1) built from the OpenAPI document, so the collection can never
 * describe a route the API does not serve. Written by hand rather than with a converter:
 * converters give every item a random id (the committed file would change on every run)
 * and could not add the chained "Submit and poll" example anyway.
 */

const SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/** The parts of an OpenAPI 3.1 document read here. */
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  minimum?: number;
  minItems?: number;
}
interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

export interface PostmanVariable {
  key: string;
  value: string;
  type?: "string";
  description?: string;
}
export interface PostmanQueryParam {
  key: string;
  value: string;
  disabled?: boolean;
  description?: string;
}
export interface PostmanUrl {
  raw: string;
  host: string[];
  path: string[];
  query?: PostmanQueryParam[];
  variable?: PostmanVariable[];
}
export interface PostmanRequest {
  method: string;
  header: { key: string; value: string }[];
  url: PostmanUrl;
  description?: string;
  body?: { mode: "raw"; raw: string; options: { raw: { language: "json" } } };
  auth?: { type: "noauth" };
}
export interface PostmanEvent {
  listen: "test";
  script: { type: "text/javascript"; exec: string[] };
}
export interface PostmanItem {
  name: string;
  request: PostmanRequest;
  event?: PostmanEvent[];
  response: never[];
}
export interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanItem[];
}
export interface PostmanCollection {
  info: { name: string; description: string; schema: string };
  auth: { type: "bearer"; bearer: PostmanVariable[] };
  variable: PostmanVariable[];
  item: PostmanFolder[];
}

/** Collection variables: edit baseUrl and apiKey once, the rest are filled in by the requests' scripts. */
const VARIABLES: PostmanVariable[] = [
  { key: "baseUrl", value: "http://127.0.0.1:3000", description: "Where the API listens" },
  { key: "apiKey", value: "", description: "Your API key (llmc_…); Register fills it in" },
  { key: "model", value: "llama2", description: "Model for new conversations (GET /v1/models lists them)" },
  { key: "email", value: "ada@example.com", description: "Used by Register and Login" },
  { key: "password", value: "correct horse battery staple", description: "Used by Register and Login" },
  { key: "conversationId", value: "", description: "Set by the requests that create or answer in one" },
  { key: "queryId", value: "", description: "Set by Submit a prompt" },
  { key: "apiKeyId", value: "", description: "Set by Create an API key" },
  { key: "refreshToken", value: "", description: "Set by Login and Refresh" },
].map((v) => ({ ...v, type: "string" as const }));

/** Example values by field name, so request bodies are ready to send rather than "string". */
const EXAMPLES: Record<string, unknown> = {
  prompt: "What is the capital of France?",
  model: "{{model}}",
  email: "{{email}}",
  password: "{{password}}",
  refreshToken: "{{refreshToken}}",
  conversationId: "{{conversationId}}",
  title: "Geography",
  name: "my server",
  messages: [{ role: "user", content: "What is the capital of France?" }],
  input: "What is the capital of France?",
};

/** Which collection variable a path's `{id}` takes, by the collection it names. */
const ID_VARIABLES: Record<string, string> = {
  conversations: "conversationId",
  queries: "queryId",
  // A response of the OpenAI-compatible API is a query: same id.
  responses: "queryId",
  "api-keys": "apiKeyId",
};

/** Responses whose ids the next requests need: "METHOD path" → variable → JSON path in the body. */
const CAPTURES: Record<string, Record<string, string>> = {
  "POST /v1/auth/register": { apiKey: "apiKey.secret" },
  "POST /v1/auth/login": { refreshToken: "refreshToken" },
  "POST /v1/auth/refresh": { refreshToken: "refreshToken" },
  "POST /v1/conversations": { conversationId: "id" },
  "POST /v1/queries": { queryId: "id", conversationId: "conversationId" },
  "POST /v1/api-keys": { apiKeyId: "id" },
  "POST /v1/responses": { queryId: "id" },
};

const FOLDER_NAMES: Record<string, string> = {
  auth: "Auth",
  models: "Models",
  conversations: "Conversations",
  queries: "Queries",
  "webhook-secret": "Webhook secret",
  "api-keys": "API keys",
  admin: "Admin",
  chat: "OpenAI: Chat Completions",
  responses: "OpenAI: Responses",
  "": "Operations",
};

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const testEvent = (lines: string[]): PostmanEvent[] => [
  { listen: "test", script: { type: "text/javascript", exec: lines } },
];

function example(schema: Schema | undefined, name?: string): unknown {
  if (name !== undefined && name in EXAMPLES) return EXAMPLES[name];
  if (!schema) return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      // Required fields only: optional ones are documented in the API, not guessed at here.
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = example(schema.properties?.[key], key);
      return out;
    }
    case "array":
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => example(schema.items));
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return false;
    case "string":
      return schema.format === "email" ? "ada@example.com" : "string";
    default:
      return null;
  }
}

/** "/v1/queries/{id}/cancel" → its folder key ("queries"; "" for the unversioned operations). */
function folderKey(path: string): string {
  const parts = path.split("/").filter(Boolean);
  return parts[0] === "v1" ? (parts[1] ?? "") : "";
}

function queryValue(param: Parameter): string {
  const named = EXAMPLES[param.name];
  if (typeof named === "string") return named;
  return param.schema?.default !== undefined ? String(param.schema.default) : "";
}

function buildUrl(path: string, parameters: Parameter[]): PostmanUrl {
  const segments = path.split("/").filter(Boolean);
  const variable: PostmanVariable[] = [];
  const urlPath = segments.map((segment, i) => {
    const match = /^\{(.+)\}$/.exec(segment);
    if (!match?.[1]) return segment;
    const name = match[1];
    const param = parameters.find((p) => p.in === "path" && p.name === name);
    const collectionVariable = ID_VARIABLES[segments[i - 1] ?? ""];
    variable.push({
      key: name,
      value: collectionVariable ? `{{${collectionVariable}}}` : "",
      ...(param?.description ? { description: param.description } : {}),
    });
    return `:${name}`;
  });
  // Every query parameter is listed; the optional ones start disabled, to be ticked in Postman.
  const query: PostmanQueryParam[] = parameters
    .filter((p) => p.in === "query")
    .map((p) => ({
      key: p.name,
      value: queryValue(p),
      ...(p.required ? {} : { disabled: true }),
      ...(p.description ? { description: p.description } : {}),
    }));
  const enabled = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`);
  return {
    raw: `{{baseUrl}}/${urlPath.join("/")}${enabled.length > 0 ? `?${enabled.join("&")}` : ""}`,
    host: ["{{baseUrl}}"],
    path: urlPath,
    ...(query.length > 0 ? { query } : {}),
    ...(variable.length > 0 ? { variable } : {}),
  };
}

function describe(operation: Operation): string {
  const lines = operation.description ? [operation.description, ""] : [];
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    lines.push(`- ${status}: ${response.description ?? ""}`.trimEnd());
  }
  return lines.join("\n");
}

function captureScript(captures: Record<string, string>): string[] {
  return [
    "// Later requests in this collection read these variables.",
    "if (pm.response.code >= 200 && pm.response.code < 300) {",
    "  const body = pm.response.json();",
    ...Object.entries(captures).map(
      ([variable, path]) => `  pm.collectionVariables.set(${JSON.stringify(variable)}, body.${path});`,
    ),
    "}",
  ];
}

function operationItem(method: string, path: string, operation: Operation): PostmanItem {
  const parameters = operation.parameters ?? [];
  const header: { key: string; value: string }[] = [];
  let body: PostmanRequest["body"];
  const jsonBody = operation.requestBody?.content["application/json"];
  if (jsonBody) {
    header.push({ key: "Content-Type", value: "application/json" });
    body = {
      mode: "raw",
      raw: JSON.stringify(example(jsonBody.schema), null, 2),
      options: { raw: { language: "json" } },
    };
  }
  // A stream or a text format is asked for by name; JSON is what the API answers anyway.
  const success = Object.entries(operation.responses ?? {}).find(([status]) => status.startsWith("2"));
  const produces = Object.keys(success?.[1].content ?? {})[0];
  if (produces && produces !== "application/json") header.push({ key: "Accept", value: produces });
  for (const p of parameters.filter((p) => p.in === "header")) {
    header.push({ key: p.name, value: "" });
  }
  const request: PostmanRequest = {
    method: method.toUpperCase(),
    header,
    url: buildUrl(path, parameters),
    description: describe(operation),
    ...(body ? { body } : {}),
    // Routes without a security requirement (register, health, docs) send no key.
    ...(operation.security && operation.security.length > 0 ? {} : { auth: { type: "noauth" as const } }),
  };
  const captures = CAPTURES[`${method.toUpperCase()} ${path}`];
  return {
    name: operation.summary ?? `${method.toUpperCase()} ${path}`,
    request,
    ...(captures ? { event: testEvent(captureScript(captures)) } : {}),
    response: [],
  };
}

/** The curl walk-through of the README as three requests: run them in order, or with the Runner. */
function submitAndPollFolder(): PostmanFolder {
  const json = (value: unknown) => ({
    mode: "raw" as const,
    raw: JSON.stringify(value, null, 2),
    options: { raw: { language: "json" as const } },
  });
  const url = (...path: string[]): PostmanUrl => ({
    raw: `{{baseUrl}}/${path.join("/")}`,
    host: ["{{baseUrl}}"],
    path,
  });
  return {
    name: "Submit and poll",
    description:
      "Submit a prompt, then poll the query until it is finished, then read the conversation back. " +
      "In the Collection Runner the poll repeats itself every second while the query is queued or running.",
    item: [
      {
        name: "1. Submit a prompt",
        request: {
          method: "POST",
          header: [{ key: "Content-Type", value: "application/json" }],
          url: url("v1", "queries"),
          description: "202 Accepted at once: the query is queued. Its id goes into {{queryId}}.",
          body: json({ model: "{{model}}", prompt: "What is the capital of France?" }),
        },
        event: testEvent([
          'pm.test("202 Accepted", () => pm.response.to.have.status(202));',
          "const query = pm.response.json();",
          "// The poll below and a follow-up prompt in the same conversation read these.",
          'pm.collectionVariables.set("queryId", query.id);',
          'pm.collectionVariables.set("conversationId", query.conversationId);',
        ]),
        response: [],
      },
      {
        name: "2. Poll the query",
        request: {
          method: "GET",
          header: [],
          url: url("v1", "queries", "{{queryId}}"),
          description: "Send again until status is succeeded, failed or canceled.",
        },
        event: testEvent([
          'pm.test("200 OK", () => pm.response.to.have.status(200));',
          "const query = pm.response.json();",
          'if (query.status === "queued" || query.status === "running") {',
          "  // Collection Runner: wait a second, then run this request again.",
          "  setTimeout(() => {}, 1000);",
          "  pm.execution.setNextRequest(pm.info.requestName);",
          "} else {",
          '  pm.test("the query succeeded", () => pm.expect(query.status).to.eql("succeeded"));',
          "}",
        ]),
        response: [],
      },
      {
        name: "3. Read the conversation",
        request: {
          method: "GET",
          header: [],
          url: url("v1", "conversations", "{{conversationId}}"),
          description: "The prompt and the answer, in order.",
        },
        response: [],
      },
    ],
  };
}

export function postmanCollection(document: Record<string, unknown>): PostmanCollection {
  // The document comes from openApiDocument(), whose shape the OpenAPI test validates.
  const doc = document as unknown as OpenApiDocument;
  const folders = new Map<string, PostmanFolder>();
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!METHODS.includes(method)) continue;
      const key = folderKey(path);
      let folder = folders.get(key);
      if (!folder) {
        folder = { name: FOLDER_NAMES[key] ?? key, item: [] };
        folders.set(key, folder);
      }
      folder.item.push(operationItem(method, path, operation));
    }
  }
  return {
    info: {
      name: doc.info.title,
      description:
        `${doc.info.description ?? ""}\n\nGenerated from the OpenAPI document (${doc.info.version}) ` +
        "by `pnpm --filter @llm-chat/api postman`; do not edit by hand. Set the collection variables " +
        "baseUrl and apiKey (or run Auth → Register, which fills apiKey in), then try the " +
        '"Submit and poll" folder.',
      schema: SCHEMA_URL,
    },
    auth: { type: "bearer", bearer: [{ key: "token", value: "{{apiKey}}", type: "string" }] },
    variable: VARIABLES,
    item: [submitAndPollFolder(), ...folders.values()],
  };
}
