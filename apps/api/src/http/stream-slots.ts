import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { cappedPlaces } from "@llm-chat/events";
import type { RequestHandler, Response } from "express";
import type { Cluster, Redis } from "ioredis";
import { principal } from "./auth.js";
import { HttpProblem } from "./problem.js";

export interface StreamLimits {
  /** Open event streams one user may have, over every API process. */
  perUser: number;
  /** Open event streams one API process serves at once. */
  perProcess: number;
  /** A stream is ended after this long; the client resumes with Last-Event-ID. */
  maxLifetimeMs: number;
}

const busy = (detail: string) => new HttpProblem(429, "Too many streams", detail, undefined, { "Retry-After": "5" });

/**
 * Resolves once `res` can take more (its buffer drained) or is gone: a client that reads
 * slowly holds up its own stream instead of growing the process's memory.
 */
export async function drained(res: Response): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return;
  await Promise.race([once(res, "drain"), once(res, "close")]);
}

/** Ends a stream: cleanly, or by cutting the connection if the client stopped reading. */
function finish(res: Response): void {
  if (res.writableNeedDrain) res.destroy();
  else res.end();
}

/**
 * Places for event streams: capped per user (shared through Redis) and per process, each
 * stream bounded in life, and every stream of a query ended when the query is deleted
 * (`endQuery`, told through Redis pub/sub by whichever process deleted it).
 */
export function createStreamSlots(redis: Redis | Cluster, keyPrefix: string, limits: StreamLimits) {
  // A place older than a stream can live belongs to a process that died holding it.
  const places = cappedPlaces(redis, limits.maxLifetimeMs + 60_000);
  const byQuery = new Map<string, Set<Response>>();
  let open = 0;

  const forget = (queryId: string, res: Response) => {
    const set = byQuery.get(queryId);
    set?.delete(res);
    if (set?.size === 0) byQuery.delete(queryId);
  };

  return {
    /** Channel on which a deleted query's id is published. */
    goneChannel: `${keyPrefix}:queries-gone`,

    /** Wraps the stream handler: a place first (or 429), given back when the response closes. */
    guard(handler: RequestHandler): RequestHandler {
      return async (req, res, next) => {
        if (open >= limits.perProcess) throw busy("this server has as many event streams open as it serves");
        open += 1;
        const { userId } = principal(req);
        const queryId = String(req.params.id);
        const userKey = `${keyPrefix}:streams:user:${userId}`;
        const member = randomUUID();
        let claimed = false;
        try {
          claimed = await places.claim(userKey, limits.perUser, member);
        } finally {
          if (!claimed) open -= 1;
        }
        if (!claimed) throw busy(`at most ${limits.perUser} event streams may be open at once`);
        const set = byQuery.get(queryId) ?? new Set<Response>();
        byQuery.set(queryId, set.add(res));
        const lifetime = setTimeout(() => finish(res), limits.maxLifetimeMs);
        res.once("close", () => {
          clearTimeout(lifetime);
          open -= 1;
          forget(queryId, res);
          void places.release(userKey, member).catch(() => undefined);
        });
        await handler(req, res, next);
      };
    },

    /** Ends this process's streams of a query that no longer exists. */
    endQuery(queryId: string): void {
      for (const res of byQuery.get(queryId) ?? []) finish(res);
    },

    get open() {
      return open;
    },
  };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;
