/**
 * Decides, at creation time, how a prediction will end and how long it
 * takes, honouring the prompt markers documented in replicate-stand-in.ts.
 */
import { countWords, splitIntoTokens } from "./stand-in-reply.js";
import type { ReplyFunction } from "./stand-in-types.js";

export const FAIL_MARKER = "[[fail]]";
export const MODEL_FAILURE_MESSAGE = "stand-in: model failed as asked";
const SLOW_MARKER = /\[\[slow:(\d+)\]\]/;

export type PlannedOutcome = { kind: "succeeded"; tokens: string[] } | { kind: "failed"; error: string };

export interface PredictionPlan {
  durationMs: number;
  /** Gap between output tokens; 0 spreads them evenly over the processing time. */
  tokenDelayMs: number;
  inputTokenCount: number;
  outcome: PlannedOutcome;
}

/** When, in ms after creation, the prediction produces one output token. */
export interface TimedToken {
  atMs: number;
  token: string;
}

export interface PlanSettings {
  latencyMs: number;
  tokenDelayMs: number;
  reply: ReplyFunction;
}

export function planPrediction(prompt: string, input: Record<string, unknown>, settings: PlanSettings): PredictionPlan {
  const slow = SLOW_MARKER.exec(prompt)?.[1];
  const latencyMs = slow === undefined ? settings.latencyMs : Number(slow);
  const inputTokenCount = countWords(prompt);
  if (prompt.includes(FAIL_MARKER)) {
    return {
      durationMs: latencyMs,
      tokenDelayMs: 0,
      inputTokenCount,
      outcome: { kind: "failed", error: MODEL_FAILURE_MESSAGE },
    };
  }
  let reply: string;
  try {
    reply = settings.reply(prompt, input);
  } catch (error) {
    // A broken custom reply should surface as a failed prediction the test
    // can see, not as a crashed server.
    const message = error instanceof Error ? error.message : String(error);
    return {
      durationMs: latencyMs,
      tokenDelayMs: 0,
      inputTokenCount,
      outcome: { kind: "failed", error: `stand-in: reply threw: ${message}` },
    };
  }
  const tokens = splitIntoTokens(reply);
  return {
    durationMs: latencyMs + settings.tokenDelayMs * tokens.length,
    tokenDelayMs: settings.tokenDelayMs,
    inputTokenCount,
    outcome: { kind: "succeeded", tokens },
  };
}

/**
 * Spreads the output tokens over the processing time (from `processingAtMs`
 * to `plan.durationMs`) so a stream sees them arrive one by one, the last one
 * a gap before completion. With tokenDelayMs the first token comes at
 * latencyMs and the rest tokenDelayMs apart, which is how durationMs was
 * built; none comes before processing starts.
 */
export function scheduleTokens(plan: PredictionPlan, processingAtMs: number): TimedToken[] {
  if (plan.outcome.kind !== "succeeded") return [];
  const { tokens } = plan.outcome;
  const count = tokens.length;
  const gap = plan.tokenDelayMs > 0 ? plan.tokenDelayMs : (plan.durationMs - processingAtMs) / (count + 1);
  return tokens.map((token, index) => ({
    atMs: Math.max(processingAtMs, plan.durationMs - (count - index) * gap),
    token,
  }));
}
