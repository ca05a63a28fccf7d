import { createRequire } from "node:module";
import type { TokenizerName } from "./model-registry.js";

export type { TokenizerName };

interface Encoder {
  encode(text: string, addBosToken?: boolean, addPrecedingSpace?: boolean): number[];
}

const require = createRequire(import.meta.url);
const packages: Record<TokenizerName, string> = { llama: "llama-tokenizer-js", mistral: "mistral-tokenizer-js" };
const loaded: Partial<Record<TokenizerName, Encoder>> = {};

/**
 * Each vocabulary costs ~8 MB of heap and ~24 MB of RSS once decoded: a process loads only
 * the families its queries use, on first use (~0.1 s, once).
 */
function tokenizerFor(name: TokenizerName): Encoder {
  const found = loaded[name];
  if (found) return found;
  const module = require(packages[name]) as { default: Encoder };
  loaded[name] = module.default;
  return module.default;
}

/**
 * Tokens `text` takes for the model family, counted with the model's own SentencePiece
 * vocabulary (no BOS). Tokenizing costs ~10 µs a token, so callers count each message
 * once and keep the number rather than re-tokenizing whole prompts.
 */
export function countTokens(tokenizer: TokenizerName, text: string): number {
  if (text.length === 0) return 0;
  return tokenizerFor(tokenizer).encode(text, false, true).length;
}

/**
 * An upper bound that needs no tokenizing: every SentencePiece token of these models
 * covers at least one UTF-8 byte (byte fallback), plus one for the leading space.
 */
export function maxTokensFor(text: string): number {
  return Buffer.byteLength(text, "utf8") + 1;
}
