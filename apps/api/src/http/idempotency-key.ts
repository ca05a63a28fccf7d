import { HttpProblem } from "./problem.js";

/** 1–255 visible ASCII characters; the OpenAPI document describes the header with it. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, or null without one; a malformed one is refused before anything is looked up. */
export function readIdempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new HttpProblem(422, "Validation failed", "Idempotency-Key must be 1–255 visible ASCII characters", [
      { in: "header", pointer: "/Idempotency-Key", message: "1–255 visible ASCII characters" },
    ]);
  }
  return header;
}
