/**
 * Plays a response out over time with at most one timer at a time, so
 * thousands of slow completions cost only thousands of timers.
 */
import { performance } from "node:perf_hooks";

export interface TimedStep {
  /** When to run, in ms after the timeline started. */
  atMs: number;
  run(): void;
}

/**
 * Runs `steps` (sorted by atMs) at their offsets from now, each timer aimed
 * at an offset from the start so late timers do not add up; steps already
 * due run together, the first ones synchronously. Calls `done` after the
 * last step, and returns a canceller that stops the rest.
 */
export function runTimeline(steps: readonly TimedStep[], done: () => void): () => void {
  // Monotonic, so a wall-clock step cannot bunch up or stall the steps.
  const origin = performance.now();
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const elapsed = performance.now() - origin;
    for (let due = steps[next]; due !== undefined && due.atMs <= elapsed; due = steps[next]) {
      next += 1;
      due.run();
    }
    const upcoming = steps[next];
    if (upcoming === undefined) {
      done();
      return;
    }
    // Rounded up: a timer that fires a fraction early would only re-arm.
    timer = setTimeout(tick, Math.ceil(upcoming.atMs - elapsed));
  };
  tick();
  return () => clearTimeout(timer);
}
