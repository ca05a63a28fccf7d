import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A status, or a status with headers (e.g. Retry-After). */
export type Answer = number | { status: number; headers: Record<string, string> };

/**
 * A webhook receiver on loopback. `answer` decides the status for each request in turn
 * (1 for the first request, 2 for the second…).
 */
export async function startReceiver(answer: (n: number) => Answer = () => 204) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const given = answer(received.length);
      if (typeof given === "number") res.statusCode = given;
      else res.writeHead(given.status, given.headers);
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
