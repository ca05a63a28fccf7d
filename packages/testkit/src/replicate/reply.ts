/**
 * The Replicate stand-in's "model": it echoes the latest user turn of the
 * prompt (see ../shared/reply.ts for the echo itself).
 */
import { echoReply } from "../shared/reply.js";

const INST_OPEN = "[INST]";
const INST_CLOSE = "[/INST]";
const SYS_BLOCK = /<<SYS>>[\s\S]*?<<\/SYS>>/g;

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

/** `You said: <latest user text>`, echo capped so huge prompts stay cheap. */
export function defaultReply(prompt: string): string {
  return echoReply(latestUserText(prompt));
}
