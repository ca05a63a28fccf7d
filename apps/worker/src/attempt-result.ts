import type { LedgerPlace } from "@llm-chat/query-lifecycle";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";

/** What one attempt at a query came to; `toBullmq` is the one place that turns it into a job outcome. */
export type AttemptResult =
  /** An earlier query of the conversation is still open: back to the delayed set, no attempt spent. */
  | { kind: "wait"; place: LedgerPlace }
  /** Nothing more to do for this job. */
  | { kind: "done"; outcome: "succeeded" | "skipped" | "discarded" | "canceled" }
  /** A transient failure: BullMQ retries with backoff (the error carries any Retry-After). */
  | { kind: "retry"; error: unknown }
  /** The query was recorded as failed: no retry. */
  | { kind: "fail"; message: string }
  /** The worker is leaving: back to the queue at once, no attempt spent. */
  | { kind: "handBack" }
  /** The model's provider refuses calls for now (circuit open): back to the delayed set until `until`, no attempt spent. */
  | { kind: "pause"; until: number };

export type JobValue = { outcome: Extract<AttemptResult, { kind: "done" }>["outcome"] | "failed" };

export interface ToBullmqDeps {
  recheckMs: number;
  /** Whether the query the job waited for is still open (it may have ended while the job moved). */
  stillBlocked(place: LedgerPlace): Promise<boolean>;
}

/** Maps an attempt's result to what BullMQ expects: a return value, or the error that moves the job. */
export async function toBullmq(
  result: AttemptResult,
  job: Job,
  token: string | undefined,
  deps: ToBullmqDeps,
): Promise<JobValue> {
  switch (result.kind) {
    case "done":
      return { outcome: result.outcome };
    case "fail":
      throw new UnrecoverableError(result.message);
    case "retry":
      throw result.error;
    case "handBack":
    case "pause":
    case "wait": {
      if (!token) throw new Error("job token missing");
      // moveToDelayed leaves attemptsMade as it was (BullMQ's skipAttempt): the wait is free.
      const at = result.kind === "pause" ? result.until : Date.now() + (result.kind === "wait" ? deps.recheckMs : 0);
      await job.moveToDelayed(at, token);
      // The query we waited for may have ended between the check and the move, and its
      // worker found nothing delayed to wake: look once more rather than sleep it out.
      if (result.kind === "wait" && !(await deps.stillBlocked(result.place))) {
        await job.promote().catch(() => undefined);
      }
      throw new DelayedError();
    }
  }
}
