import { finalStatuses, type Query, type QueryStatus, type RegisterResponse } from "@llm-chat/contracts";
import { eventually } from "@llm-chat/testkit";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  method?: string;
  key?: string;
  json?: unknown;
  /** A raw body, sent as is (for malformed input tests). */
  raw?: string;
  headers?: Record<string, string>;
}

/** A thin fetch wrapper: the tests check status codes and bodies, so nothing here throws on 4xx/5xx. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(options.json);
  } else if (options.raw !== undefined) {
    body = options.raw;
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
  const text = await response.text();
  const parsed = text.length > 0 && /json/.test(response.headers.get("content-type") ?? "") ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: parsed as T };
}

let counter = 0;

export async function register(baseUrl: string): Promise<{ userId: string; key: string; email: string }> {
  counter += 1;
  const email = `user${counter}-${Date.now()}@example.test`;
  const res = await call<RegisterResponse>(baseUrl, "/v1/auth/register", {
    json: { email, password: "correct horse battery staple" },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user.id, key: res.body.apiKey.secret, email };
}

/** Reads a query; a status other than 200 throws, so a wait on it ends at once. */
async function getQuery(baseUrl: string, key: string, id: string): Promise<Query> {
  const res = await call<Query>(baseUrl, `/v1/queries/${id}`, { key });
  if (res.status !== 200) throw new Error(`GET query ${id}: ${res.status}`);
  return res.body;
}

/** Waits until the query's status is one of `statuses`, and returns it. Bounded: fails the test rather than hang. */
export function waitForStatus(
  baseUrl: string,
  key: string,
  id: string,
  statuses: readonly QueryStatus[],
  timeoutMs = 10_000,
): Promise<Query> {
  return eventually(
    `query ${id} to be ${statuses.join(" or ")}`,
    async () => {
      const query = await getQuery(baseUrl, key, id);
      return statuses.includes(query.status) ? query : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Waits until a query is terminal. */
export function waitForQuery(baseUrl: string, key: string, id: string, timeoutMs = 60_000): Promise<Query> {
  return waitForStatus(baseUrl, key, id, finalStatuses, timeoutMs);
}
