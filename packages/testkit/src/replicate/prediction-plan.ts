/**
 * Decides, at creation time, how a prediction will end and how long it
 * takes, honouring the prompt markers documented in stand-in.ts.
 */
import { FAIL_MARKER, MALFORMED_MARKER, slowMarkerMs } from "../shared/prompt-markers.js";
import { countWords, splitIntoTokens } from "../shared/reply.js";
import { spreadTokens, type TimedToken } from "../shared/token-schedule.js";
import type { NonTextOutput, ReplyFunction } from "./types.js";

export const MODEL_FAILURE_MESSAGE = "stand-in: model failed as asked";

export type PlannedOutcome =
  | { kind: "succeeded"; tokens: string[] }
  | { kind: "failed"; error: string }
  | { kind: "malformed"; output: NonTextOutput };

export interface PredictionPlan {
  durationMs: number;
  /** Gap between output tokens; 0 spreads them evenly over the processing time. */
  tokenDelayMs: number;
  inputTokenCount: number;
  outcome: PlannedOutcome;
}

export interface PlanSettings {
  latencyMs: number;
  tokenDelayMs: number;
  reply: ReplyFunction;
}

export function planPrediction(prompt: string, input: Record<string, unknown>, settings: PlanSettings): PredictionPlan {
  const latencyMs = slowMarkerMs(prompt) ?? settings.latencyMs;
  const inputTokenCount = countWords(prompt);
  if (prompt.includes(FAIL_MARKER)) {
    return {
      durationMs: latencyMs,
      tokenDelayMs: 0,
      inputTokenCount,
      outcome: { kind: "failed", error: MODEL_FAILURE_MESSAGE },
    };
  }
  if (prompt.includes(MALFORMED_MARKER)) {
    // A fresh object each time: a test that mutates one output must not
    // change what later predictions return.
    return {
      durationMs: latencyMs,
      tokenDelayMs: 0,
      inputTokenCount,
      outcome: { kind: "malformed", output: { not: "text" } },
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
  return spreadTokens(plan.outcome.tokens, plan, processingAtMs);
}
