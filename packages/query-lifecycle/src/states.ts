import type { QueryStatus } from "@llm-chat/contracts";

/**
 * Every move a query's status may make. `running → running` is a new attempt of a query
 * whose worker died; `running → queued` is a worker handing its job back at shutdown.
 * The Redis scripts that move a query's live state take their allowed sources from this
 * table, so it is the only statement of the rules.
 */
const moves: Readonly<Record<QueryStatus, readonly QueryStatus[]>> = {
  queued: ["running", "failed", "canceled"],
  running: ["running", "queued", "succeeded", "failed", "canceled"],
  succeeded: [],
  failed: [],
  canceled: [],
};

const statuses = Object.keys(moves) as QueryStatus[];

export const canMove = (from: QueryStatus, to: QueryStatus): boolean => moves[from].includes(to);

/** The statuses a query may be in to move to `to`. */
export const sourcesOf = (to: QueryStatus): QueryStatus[] => statuses.filter((from) => canMove(from, to));

export const isQueryStatus = (value: unknown): value is QueryStatus =>
  typeof value === "string" && (statuses as string[]).includes(value);
