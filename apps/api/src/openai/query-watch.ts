import type { QueryDoc } from "@llm-chat/store";
import type { Response } from "express";
import { OpenAiError } from "./openai-error.js";
import type { QueryPort } from "./query-port.js";

/** Aborts, and calls `onLeave`, when the client closes the connection before the answer is sent. */
export function whenClientLeaves(res: Response, onLeave: () => void): AbortSignal {
  const gone = new AbortController();
  res.on("close", () => {
    if (res.writableEnded) return;
    gone.abort();
    onLeave();
  });
  return gone.signal;
}

/** Cancels a query nobody waits for any more. */
export async function cancelQuietly(port: QueryPort, query: QueryDoc): Promise<void> {
  try {
    await port.cancel(query);
  } catch {
    // Already finished (nothing to cancel), or the backends are away: its deadline ends it then.
  }
}

/** The record of a query that is done; it is gone only if its conversation was deleted meanwhile. */
export async function finalRecord(port: QueryPort, query: QueryDoc): Promise<QueryDoc> {
  const doc = await port.findById(query._id);
  if (!doc)
    throw new OpenAiError(
      404,
      "the request was deleted with its conversation",
      "invalid_request_error",
      null,
      "not_found",
    );
  return doc;
}
