/** Starts a stand-in's HTTP server on loopback and names its origin. */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// Longer than undici's 4 s idle keep-alive, so the client always gives up
// on an idle socket before the server closes it under a request.
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

// Node's default of 511 overflows when a test opens thousands of sockets at
// once, and each dropped SYN costs the client a one-second retransmit.
const LISTEN_BACKLOG = 4096;

export interface ListeningServer {
  server: Server;
  /** `http://host:port`, with no trailing slash. */
  origin: string;
}

/** Wildcard binds are reachable on loopback, which is what URLs should name. */
function urlHost(address: AddressInfo): string {
  if (address.address === "0.0.0.0" || address.address === "::") return "127.0.0.1";
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

export async function listen(handler: RequestListener, host: string, port: number): Promise<ListeningServer> {
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("stand-in: server has no TCP address");
  return { server, origin: `http://${urlHost(address)}:${address.port}` };
}
