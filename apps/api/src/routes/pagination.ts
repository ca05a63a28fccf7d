import type { Page, PageQuery } from "@llm-chat/contracts";
import { decodeCursor, encodeCursor } from "@llm-chat/store";
import { HttpProblem } from "../http/problem.js";

export function cursorId(page: PageQuery): string | null {
  if (page.cursor === undefined) return null;
  const id = decodeCursor(page.cursor);
  if (!id) {
    throw new HttpProblem(422, "Validation failed", "invalid query: cursor", [
      { in: "query", pointer: "/cursor", message: "not a cursor returned by this API" },
    ]);
  }
  return id;
}

/** Lists fetch one row more than asked, which tells whether another page exists without a count. */
export function toPage<D extends { _id: string }, T>(docs: D[], limit: number, present: (doc: D) => T): Page<T> {
  const rows = docs.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    data: rows.map(present),
    nextCursor: docs.length > limit && last ? encodeCursor(last._id) : null,
  };
}
