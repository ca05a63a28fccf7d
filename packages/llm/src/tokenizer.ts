import llamaTokenizer from "llama-tokenizer-js";
import mistralTokenizer from "mistral-tokenizer-js";

import type { TokenizerName } from "./model-registry.js";

export type { TokenizerName };

const tokenizers = { llama: llamaTokenizer, mistral: mistralTokenizer } as const;

/**
 * Tokens `text` takes for the model family, counted with the model's own SentencePiece
 * vocabulary (no BOS). Tokenizing costs ~10 µs a token, so callers count each message
 * once and keep the number rather than re-tokenizing whole prompts.
 */
export function countTokens(tokenizer: TokenizerName, text: string): number {
  if (text.length === 0) return 0;
  return tokenizers[tokenizer].encode(text, false, true).length;
}

/**
 * An upper bound that needs no tokenizing: every SentencePiece token of these models
 * covers at least one UTF-8 byte (byte fallback), plus one for the leading space.
 */
export function maxTokensFor(text: string): number {
  return Buffer.byteLength(text, "utf8") + 1;
}
