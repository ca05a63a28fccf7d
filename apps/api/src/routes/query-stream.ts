import { isFinal, queryIdSchema } from "@llm-chat/contracts";
import { isEventId, type LoggedEvent } from "@llm-chat/events";
import type { Request, RequestHandler, Response } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { startSse } from "../http/sse.js";
import { drained } from "../http/stream-slots.js";
import { parseId } from "../http/validate.js";
import { notFound } from "../use-cases/domain-error.js";

const HEARTBEAT_MS = 15_000;

function frame(id: string | null, type: string, data: unknown): string {
  return `${id ? `id: ${id}\n` : ""}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function encode({ id, event }: LoggedEvent): string {
  const { type, ...data } = event;
  return frame(id, type, data);
}

/**
 * GET /v1/queries/:id/events: the query's events as Server-Sent Events, replayed from the
 * start (or after Last-Event-ID) and then followed live until `done`. The events live in
 * Redis, so any API process can serve any query, during its run or after.
 */
export function queryStream(deps: AppDeps): RequestHandler {
  // Capped, bounded in life, ended when the query is deleted (http/stream-slots.ts).
  return deps.streams.guard(async (req: Request, res: Response) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", queryIdSchema, "query");
    const query = await deps.lifecycle.read(id, userId);
    if (!query) throw notFound("query");

    const resumeFrom = req.header("last-event-id");
    let last = isEventId(resumeFrom) ? resumeFrom : null;
    startSse(req, res);

    let closed = false;
    let pumping = false;
    let again = false;
    const end = () => {
      if (closed) return;
      closed = true;
      stop();
      clearInterval(heartbeat);
      res.end();
    };
    const pump = async () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          const events = await deps.events.readAfter(id, last);
          for (const logged of events) {
            if (closed) return;
            if (!res.write(encode(logged))) await drained(res);
            last = logged.id;
            if (logged.event.type === "done") return end();
          }
        } while (again && !closed);
      } catch {
        end();
      } finally {
        pumping = false;
      }
    };
    // The log may be gone (expired, or Redis lost it): the record still says how it ended.
    const settleFromRecord = async () => {
      const current = await deps.lifecycle.read(id, userId);
      if (!current) return end(); // deleted, and this process missed the word
      if (!isFinal(current.status) || closed) return;
      await pump();
      if (closed) return;
      res.write(frame(null, "done", { status: current.status, output: current.output, error: current.error }));
      end();
    };

    const stop = deps.hub.listen(id, () => void pump());
    const heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) res.write(": keep-alive\n\n");
      void settleFromRecord().catch(() => undefined);
    }, HEARTBEAT_MS);
    req.on("close", end);
    await pump();
    if (!closed && isFinal(query.status)) await settleFromRecord();
  });
}
