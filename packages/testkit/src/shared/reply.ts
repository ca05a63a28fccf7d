/**
 * The stand-ins' deterministic "model", whatever the API: an echo of the user's words, split
 * into word tokens, so tests can predict the answer exactly.
 */

const MAX_ECHO_CHARS = 200;

/** `You said: <text, trimmed>`, echo capped so huge prompts stay cheap. */
export function echoReply(text: string): string {
  // Code points, not UTF-16 units, so the cap never splits an emoji.
  const echoed = Array.from(text.trim()).slice(0, MAX_ECHO_CHARS).join("");
  return `You said: ${echoed}`;
}

// A word or a single symbol, each carrying the whitespace before it; the
// last alternative keeps trailing whitespace so tokens always join back
// to the exact reply.
const TOKEN = /\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])|\s+/gu;

/** Splits a reply the way streaming LLMs on Replicate emit it: ["You", " said", ":"]. */
export function splitIntoTokens(reply: string): string[] {
  return reply.match(TOKEN) ?? [];
}

/** Rough whitespace word count, standing in for a tokenizer. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}
