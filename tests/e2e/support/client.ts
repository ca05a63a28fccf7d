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
  const res = await call<{ user: { id: string }; apiKey: { secret: string } }>(baseUrl, "/v1/auth/register", {
    json: { email, password: "correct horse battery staple" },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user.id, key: res.body.apiKey.secret, email };
}

export interface QueryView {
  id: string;
  conversationId: string;
  status: string;
  output: string | null;
  error: { code: string; message: string } | null;
  attempts: number;
  metrics: Record<string, number | null>;
}

/** Polls a query until it is terminal. Bounded: fails the test rather than hang. */
export async function waitForQuery(baseUrl: string, key: string, id: string, timeoutMs = 60_000): Promise<QueryView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await call<QueryView>(baseUrl, `/v1/queries/${id}`, { key });
    if (res.status !== 200) throw new Error(`poll ${id}: ${res.status}`);
    if (["succeeded", "failed", "canceled"].includes(res.body.status)) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`query ${id} did not finish within ${timeoutMs} ms`);
}
