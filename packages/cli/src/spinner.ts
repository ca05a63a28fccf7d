import { createSpinner } from "nanospinner";

export interface Status {
  update(text: string): void;
  stop(): void;
}

const quiet: Status = { update: () => undefined, stop: () => undefined };

/**
 * A spinner on stderr while the answer is on its way. Only when both stdout and stderr are
 * a terminal with a size: nanospinner decides how to draw from stdout, and a redirected stdout means a
 * script that wants clean output.
 */
export function statusSpinner(text: string, enabled: boolean): Status {
  if (!enabled || !process.stderr.isTTY || !process.stdout.isTTY) return quiet;
  // A pseudo-terminal without a size (some CI runners, `script` without a tty) reports 0
  // columns, and nanospinner's line arithmetic then never ends: draw nothing there.
  if (!(process.stderr.columns > 0)) return quiet;
  const before = new Set(process.listeners("SIGINT"));
  const spinner = createSpinner(text, { stream: process.stderr }).start();
  // nanospinner exits the process on Ctrl-C; the caller's own handler must run instead, so
  // that it can cancel the query on the server first (stop() restores the cursor).
  for (const listener of process.listeners("SIGINT")) {
    if (!before.has(listener)) process.off("SIGINT", listener);
  }
  let spinning = true;
  return {
    update: (next) => {
      if (spinning) spinner.update({ text: next });
    },
    stop: () => {
      if (!spinning) return;
      spinning = false;
      // Without a final text, stop() erases the spinner's line and shows the cursor again.
      spinner.stop();
    },
  };
}
