/**
 * When each output token of a generation is due, shared by the Replicate
 * predictions and the OpenAI streams so both pace tokens the same way.
 */

/** When, in ms after the generation began, one output token is produced. */
export interface TimedToken {
  atMs: number;
  token: string;
}

export interface TokenTiming {
  /** When the generation ends, in ms after it began. */
  durationMs: number;
  /** Gap between tokens; 0 spreads them evenly up to durationMs. */
  tokenDelayMs: number;
}

/**
 * Spreads the tokens from `startMs` to `timing.durationMs` so a stream sees
 * them arrive one by one, the last one a gap before the end. With
 * tokenDelayMs the last token comes one delay before the end and the others
 * tokenDelayMs apart before it (so with durationMs = latency + delay *
 * count the first comes at latency); none comes before `startMs`.
 */
export function spreadTokens(tokens: readonly string[], timing: TokenTiming, startMs: number): TimedToken[] {
  const count = tokens.length;
  const gap = timing.tokenDelayMs > 0 ? timing.tokenDelayMs : (timing.durationMs - startMs) / (count + 1);
  return tokens.map((token, index) => ({
    atMs: Math.max(startMs, timing.durationMs - (count - index) * gap),
    token,
  }));
}
