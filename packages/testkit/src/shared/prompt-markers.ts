/**
 * Markers a test puts in the prompt (Replicate) or in the last user message
 * (OpenAI) to steer that one request; both stand-ins read them here so they
 * mean the same thing everywhere.
 */

/** Replicate: the prediction ends `failed`. OpenAI: the request is refused with a 400. */
export const FAIL_MARKER = "[[fail]]";
/** The model "succeeds" with something that is not a valid text answer. */
export const MALFORMED_MARKER = "[[malformed]]";
const SLOW_MARKER = /\[\[slow:(\d+)\]\]/;

/** The MS of a `[[slow:MS]]` marker, or undefined when there is none. */
export function slowMarkerMs(text: string): number | undefined {
  const ms = SLOW_MARKER.exec(text)?.[1];
  return ms === undefined ? undefined : Number(ms);
}
