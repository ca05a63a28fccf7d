import type { RequestHandler } from "express";
import { HttpProblem } from "./problem.js";

/** A JSON pointer token (RFC 6901). */
const token = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** The pointer to the first string (key or value) that holds U+0000, or null. Iterative: bodies nest deep. */
function firstNul(body: unknown): string | null {
  const pending: [unknown, string][] = [[body, ""]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return pointer || "/";
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) pending.push([item, `${pointer}/${i}`]);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes("\u0000")) return `${pointer}/${token(key)}`;
        pending.push([item, `${pointer}/${token(key)}`]);
      }
    }
  }
  return null;
}

/**
 * After express.json(): no text this API keeps may hold U+0000. PostgreSQL (under FerretDB)
 * cannot store it, so such a prompt, title or system prompt failed at the insert as a 500
 * (or a 503 "could not be queued"); it is refused up front as a validation problem naming
 * the field instead (400 naming `param` on the OpenAI routes).
 */
export const refuseNulCharacters: RequestHandler = (req, _res, next) => {
  const pointer = firstNul(req.body);
  if (pointer === null) return next();
  next(
    new HttpProblem(422, "Validation failed", `invalid body: ${pointer.slice(1) || "body"}`, [
      { in: "body", pointer, message: "must not contain the NUL character (U+0000)" },
    ]),
  );
};
