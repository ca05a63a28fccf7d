import type { QueryEvent } from "@llm-chat/events";
import type { QueryDoc } from "@llm-chat/store";
import { messageItem, messageItemId, presentResponse } from "./response-present.js";

export interface ResponseEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

/**
 * Turns a query's event log into OpenAI's Responses stream events. The numbering depends
 * only on the log, so replaying it from the start numbers every event as before: that is
 * what lets a client resume with `starting_after`.
 */
export function responseEvents(query: QueryDoc) {
  let sequence = 0;
  let opened = false;
  const itemId = messageItemId(query);
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const make = (type: string, fields: Record<string, unknown>): ResponseEvent => ({
    type,
    sequence_number: sequence++,
    ...fields,
  });
  const open = (): ResponseEvent[] => {
    if (opened) return [];
    opened = true;
    return [
      make("response.output_item.added", { output_index: 0, item: messageItem(query, "in_progress", null) }),
      make("response.content_part.added", { ...at, part: { type: "output_text", text: "", annotations: [] } }),
    ];
  };

  return {
    start: () => [make("response.created", { response: presentResponse(query, "queued") })],

    on(event: Exclude<QueryEvent, { type: "done" }>): ResponseEvent[] {
      if (event.type === "output")
        return [...open(), make("response.output_text.delta", { ...at, delta: event.delta, logprobs: [] })];
      if (event.status === "queued") return [make("response.queued", { response: presentResponse(query, "queued") })];
      if (event.status === "running") {
        return [make("response.in_progress", { response: presentResponse(query, "in_progress") })];
      }
      return [];
    },

    /** The closing events, from the finished record. */
    done(final: QueryDoc): ResponseEvent[] {
      const response = presentResponse(final);
      if (final.status === "failed") return [make("response.failed", { response })];
      // OpenAI's stream has no event for a canceled response; this one says it plainly.
      if (final.status !== "succeeded") return [make("response.cancelled", { response })];
      const text = final.output ?? "";
      return [
        ...open(),
        make("response.output_text.done", { ...at, text, logprobs: [] }),
        make("response.content_part.done", { ...at, part: { type: "output_text", text, annotations: [] } }),
        make("response.output_item.done", { output_index: 0, item: messageItem(final, "completed", text) }),
        make("response.completed", { response }),
      ];
    },
  };
}
