/**
 * What every stand-in does the same way around its own routes: the adjustable knobs and their
 * seeded PRNG, the injected 429/500 faults, serving requests with a last-resort 500, and closing.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { ResolvedSharedBehaviour, SharedBehaviour } from "./behaviour.js";
import { mulberry32 } from "./prng.js";

/** The knobs in force and the PRNG that draws the injected faults from their seed. */
export interface Tuning<B extends ResolvedSharedBehaviour> {
  behaviour: B;
  random: () => number;
}

export function tuning<B extends ResolvedSharedBehaviour>(behaviour: B): Tuning<B> {
  return { behaviour, random: mulberry32(behaviour.seed) };
}

/** Applies `patch` (validated by `merge`); a new seed restarts the fault sequence. */
export function retune<B extends ResolvedSharedBehaviour, P extends SharedBehaviour>(
  state: Tuning<B>,
  patch: P,
  merge: (base: B, patch: P) => B,
): void {
  state.behaviour = merge(state.behaviour, patch);
  if (patch.seed !== undefined) state.random = mulberry32(patch.seed);
}

export type InjectedFault = "rate-limited" | "server-error";

export const INJECTED_SERVER_ERROR = "stand-in: injected server error";

/**
 * Draws the injected fault, if any, of one request that would start a generation, and counts it.
 * Callers draw after validation so a bad body reliably gets its 4xx; the two are drawn
 * separately so rate500 does not shift the 429 sequence of a seed.
 */
export function drawFault(
  state: Tuning<ResolvedSharedBehaviour>,
  counts: { sent429: number; sent500: number },
): InjectedFault | null {
  const { behaviour } = state;
  if (behaviour.rate429 > 0 && state.random() < behaviour.rate429) {
    counts.sent429 += 1;
    return "rate-limited";
  }
  if (behaviour.rate500 > 0 && state.random() < behaviour.rate500) {
    counts.sent500 += 1;
    return "server-error";
  }
  return null;
}

/**
 * Serves each request with `route`. An error thrown on the way becomes a 500 in the stand-in's
 * own error shape (`fail`), or, once the response has begun, a cut connection: a half-written
 * answer must not pass for a whole one.
 */
export function guarded(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  fail: (res: ServerResponse, message: string) => void,
): RequestListener {
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) res.destroy();
      else fail(res, `stand-in: ${message}`);
    });
  };
}

/**
 * A close() for the stand-in: `stop` ends its timers and held requests, then every server closes
 * with its keep-alive sockets dropped. Idempotent: later calls get the first call's promise.
 */
export function closer(servers: readonly Server[], stop: () => void): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= (async () => {
      stop();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve, reject) => {
              server.close((error) => (error === undefined ? resolve() : reject(error)));
              server.closeAllConnections();
            }),
        ),
      );
    })();
    return closed;
  };
}
