export interface GroupCommitOptions {
  /** Most items one flush takes; the rest wait for the next. */
  maxItems: number;
}

/**
 * Writes that arrive while a flush is under way wait for it and then go together in the
 * next one: one round trip for many callers under load, no added delay when idle (the
 * first item is flushed on the next turn of the event loop). `flush` answers each item
 * in order, with a value or an Error of its own.
 */
export function groupCommit<T, R>(
  flush: (items: T[]) => Promise<Array<R | Error>>,
  options: GroupCommitOptions,
): (item: T) => Promise<R> {
  type Waiting = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let busy = false;
  let scheduled = false;

  const run = async (): Promise<void> => {
    scheduled = false;
    if (busy || waiting.length === 0) return;
    busy = true;
    const batch = waiting.slice(0, options.maxItems);
    waiting = waiting.slice(batch.length);
    try {
      const answers = await flush(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const answer = answers[i];
        if (answer instanceof Error) w.reject(answer);
        else if (answer === undefined && answers.length <= i) w.reject(new Error("group commit: no answer"));
        else w.resolve(answer as R);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      busy = false;
      if (waiting.length > 0) schedule();
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void run());
  };

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!busy) schedule();
    });
}
