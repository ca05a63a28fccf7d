/**
 * The stand-in's deterministic "model": it echoes the latest user turn so
 * tests can predict the answer exactly.
 */

const INST_OPEN = "[INST]";
const INST_CLOSE = "[/INST]";
const SYS_BLOCK = /<<SYS>>[\s\S]*?<<\/SYS>>/g;
const MAX_ECHO_CHARS = 200;

/**
 * The latest user turn of a Llama-2 style chat prompt (text after the last
 * [INST], minus system blocks), or the whole prompt when it has no [INST].
 */
export function latestUserText(prompt: string): string {
  const open = prompt.lastIndexOf(INST_OPEN);
  if (open === -1) return prompt.trim();
  const start = open + INST_OPEN.length;
  const close = prompt.indexOf(INST_CLOSE, start);
  const turn = close === -1 ? prompt.slice(start) : prompt.slice(start, close);
  return turn.replace(SYS_BLOCK, "").trim();
}

/** `You said: <text, trimmed>`, echo capped so huge prompts stay cheap. */
export function echoReply(text: string): string {
  // Code points, not UTF-16 units, so the cap never splits an emoji.
  const echoed = Array.from(text.trim()).slice(0, MAX_ECHO_CHARS).join("");
  return `You said: ${echoed}`;
}

/** `You said: <latest user text>`, echo capped so huge prompts stay cheap. */
export function defaultReply(prompt: string): string {
  return echoReply(latestUserText(prompt));
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
