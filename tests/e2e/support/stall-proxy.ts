import { once } from "node:events";
import { type AddressInfo, createServer, Socket } from "node:net";

export interface StallProxy {
  /** host:port to put in a connection URL instead of the real server's. */
  readonly address: string;
  /**
   * From now on, the first connection that sends a chunk matching `match` stops being
   * forwarded (in either direction) from that chunk on: the process on the other end is
   * left waiting mid-command, as on a server that hangs. Resolves once that has happened.
   */
  stallWhen(match: (chunk: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real Redis or MongoDB-compatible server that can freeze one
 * connection at a chosen command, to stop a process at an exact point of its work (and
 * then kill it there). Everything else passes through untouched.
 */
export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  const sockets = new Set<Socket>();
  let armed: { match: (chunk: Buffer) => boolean; fired: () => void } | null = null;

  const server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let stalled = false;
    client.on("data", (chunk: Buffer) => {
      if (stalled) return;
      if (armed?.match(chunk)) {
        stalled = true;
        armed.fired();
        armed = null;
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", drop);
    upstream.on("close", drop);
    client.on("error", drop);
    upstream.on("error", drop);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    stallWhen(match) {
      return new Promise<void>((resolve) => {
        armed = { match, fired: resolve };
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}

/** Whether `chunk` holds every one of `parts` (byte strings of a command, e.g. a key name). */
export const holdsAll =
  (...parts: string[]) =>
  (chunk: Buffer): boolean =>
    parts.every((part) => chunk.includes(part));
