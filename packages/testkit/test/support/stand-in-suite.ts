/** What every stand-in test file sets up the same way, whichever API the stand-in speaks. */
import { afterAll, beforeAll, beforeEach } from "vitest";

interface SuiteStandIn<B> {
  readonly url: string;
  setBehaviour(patch: B): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * One stand-in for the whole file (`started` gets it once it listens), put back to `baseline`
 * with its records cleared before each test, so a knob one test turns cannot leak into the next.
 */
export function standInForFile<B, S extends SuiteStandIn<B>>(
  start: () => Promise<S>,
  // NoInfer: B comes from the stand-in's setBehaviour, and the literal is checked against it.
  baseline: NoInfer<B> | undefined,
  started: (standIn: S) => void,
): void {
  let standIn: S | undefined;
  beforeAll(async () => {
    standIn = await start();
    started(standIn);
  });
  afterAll(async () => {
    await standIn?.close();
  });
  if (baseline === undefined) return;
  beforeEach(() => {
    standIn?.setBehaviour(baseline);
    standIn?.reset();
  });
}

/** A raw JSON POST with a token, so a client's own checks and retries cannot hide the response. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { Authorization: "Bearer test", "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
