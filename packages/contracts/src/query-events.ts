import { z } from "zod";
import { queryErrorCodeSchema, queryStatusSchema } from "./queries.js";

/**
 * The events of a query's stream (GET /v1/queries/:id/events, Prefer: wait), by name: what
 * each one's `data` holds. The event log writes them and the OpenAPI document describes
 * them from these same schemas.
 */
export const queryEventSchemas = {
  /** The query's status changed (running, then its final status). */
  status: z.object({ status: queryStatusSchema }),
  /** More of the model's output, in order. */
  output: z.object({ delta: z.string() }),
  /** The last event: the final status and output, or the error. */
  done: z.object({
    status: queryStatusSchema,
    output: z.string().nullable(),
    error: z.object({ code: queryErrorCodeSchema, message: z.string() }).nullable(),
  }),
} as const;

type EventSchemas = typeof queryEventSchemas;
export type QueryEventName = keyof EventSchemas;
export const queryEventNames = Object.keys(queryEventSchemas) as QueryEventName[];

/** One event as the log keeps it: its name as `type` beside its data's fields. */
export type QueryEvent = { [K in QueryEventName]: { type: K } & z.infer<EventSchemas[K]> }[QueryEventName];
