import type { Logger } from "pino";

type Step = { name: string; run: () => Promise<unknown> };

export interface Shutdown {
  /** Steps run in the order they were registered: HTTP server, then workers, then connections. */
  register(name: string, run: () => Promise<unknown>): void;
  /** Runs every step once; later calls return the same promise. */
  run(reason: string): Promise<void>;
  readonly started: boolean;
  /** Exits 0 on SIGTERM/SIGINT once every step has run (1 if a step failed or the deadline passed). */
  handleSignals(deadlineMs: number): void;
}

export function createShutdown(logger: Logger): Shutdown {
  const steps: Step[] = [];
  let running: Promise<void> | undefined;
  let failed = false;

  const run = (reason: string): Promise<void> => {
    running ??= (async () => {
      logger.info({ reason }, "shutting down");
      for (const step of steps) {
        const started = Date.now();
        try {
          await step.run();
          logger.info({ step: step.name, ms: Date.now() - started }, "shutdown step done");
        } catch (error) {
          failed = true;
          logger.error({ step: step.name, err: error }, "shutdown step failed");
        }
      }
    })();
    return running;
  };

  return {
    register(name, fn) {
      steps.push({ name, run: fn });
    },
    run,
    get started() {
      return running !== undefined;
    },
    handleSignals(deadlineMs) {
      const onSignal = (signal: NodeJS.Signals) => {
        if (running) return;
        // The deadline is a last resort so an orchestrator never has to SIGKILL us.
        const timer = setTimeout(() => {
          logger.error({ deadlineMs }, "shutdown deadline passed, exiting");
          process.exit(1);
        }, deadlineMs);
        timer.unref();
        void run(signal).then(() => {
          logger.flush?.();
          process.exit(failed ? 1 : 0);
        });
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    },
  };
}
