import type { LlmChatClient, Query, SubmitQueryInput } from "@llm-chat/client";
import { CliError } from "./cli-error.js";
import { statusSpinner } from "./spinner.js";

export interface Answer {
  query: Query;
  /** Whether any text reached stdout (a failed query may have streamed part of an answer). */
  printed: boolean;
}

/** Fails the command when the query did not succeed, naming the stable error code. */
export function requireSuccess(query: Query): Query {
  if (query.status === "succeeded") return query;
  const reason = query.error ? `${query.error.code}: ${query.error.message}` : "no answer";
  throw new CliError(`query ${query.id} ${query.status}: ${reason}`);
}

/**
 * Submits a prompt and prints the answer token by token as the model writes it, with a
 * spinner on stderr until the first token. Ctrl-C cancels the query on the server too,
 * so an abandoned answer does not keep a model busy.
 */
export async function streamAnswer(client: LlmChatClient, body: SubmitQueryInput, spinner: boolean): Promise<Answer> {
  const status = statusSpinner("queued", spinner);
  let printed = false;
  let submitted: Query | null = null;
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort(new CliError("interrupted", 130));
  process.once("SIGINT", onSigint);
  try {
    submitted = await client.submit(body, { signal: interrupted.signal });
    for await (const event of client.stream(submitted.id, { signal: interrupted.signal })) {
      if (event.type === "status" && event.status === "running") status.update("thinking");
      if (event.type === "output" && event.delta) {
        status.stop();
        process.stdout.write(event.delta);
        printed = true;
      }
      if (event.type === "done" && !printed && event.output) {
        // The model answered in one piece (or the live log had expired): print it whole.
        status.stop();
        process.stdout.write(event.output);
        printed = true;
      }
    }
    if (printed) process.stdout.write("\n");
    return { query: await client.get(submitted.id), printed };
  } catch (error) {
    if (interrupted.signal.aborted && submitted) {
      if (printed) process.stdout.write("\n");
      await client.cancel(submitted.id).catch(() => undefined);
    }
    throw error;
  } finally {
    status.stop();
    process.removeListener("SIGINT", onSigint);
  }
}
