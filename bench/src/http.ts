import { Agent, request } from "node:http";

/**
 * A lean HTTP client for scenarios with many clients at once: node:http over one keep-alive
 * agent with no socket limit, so a thousand simulated clients hold a thousand connections
 * (as a thousand real ones would) and reuse them between polls instead of reconnecting.
 * Lighter per request than fetch, so the load generator is not what sets the pace.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 4096 });

export interface Reply {
  status: number;
  body: string;
}

export function call(
  url: string,
  options: { method?: string; key?: string; body?: unknown; timeoutMs: number },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        agent,
        method: options.method ?? "GET",
        headers: {
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
        },
        timeout: options.timeoutMs,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Opens a query's event stream and resolves with the `done` event's status, then closes the
 * stream. Parses just enough SSE: `event:`/`data:` lines, a blank line ends an event.
 */
export function streamUntilDone(url: string, key: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent,
      headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
      timeout: timeoutMs,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no done event within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | null, status?: string) => {
      clearTimeout(timer);
      req.destroy();
      if (error) reject(error);
      else resolve(status ?? "");
    };
    req.on("response", (res) => {
      if (res.statusCode !== 200) return finish(new Error(`events: ${res.statusCode}`));
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!/^event: ?done$/m.test(block)) continue;
          const data = block.match(/^data: ?(.*)$/m)?.[1] ?? "{}";
          return finish(null, String((JSON.parse(data) as { status?: unknown }).status));
        }
      });
      res.on("end", () => finish(new Error("events: stream ended without done")));
      res.on("error", (error) => finish(error));
    });
    req.on("timeout", () => finish(new Error(`events: idle for ${timeoutMs} ms`)));
    req.on("error", (error) => finish(error));
    req.end();
  });
}
