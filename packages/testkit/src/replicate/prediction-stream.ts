/**
 * Serves a prediction's `urls.stream` as Server-Sent Events in Replicate's
 * format: one `output` event per token as it is produced, then `done`
 * (`{}`, or `{"reason":"canceled"}`), or `error` + `done {"reason":"error"}`.
 * Every subscriber gets the tokens from the first one, however late it comes.
 */
import type { ServerResponse } from "node:http";
import type { PredictionBook } from "./prediction-book.js";
import { sendProblem } from "./problem.js";
import type { StandInPrediction } from "./types.js";

// Not "\n" alone: the SSE grammar ends a line at CR, LF or CRLF, so each of
// them must start a new data: field or the parser would cut the text short.
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * One SSE event. Each line of `data` gets its own `data:` field, which the
 * client joins back with "\n" (so a CR or CRLF in a token arrives as LF).
 * The space after the colon is the single one parsers strip, so a token's
 * own leading space (" said") survives.
 */
export function formatEvent(event: string, id: number, data: string): string {
  let text = `event: ${event}\nid: ${id}\n`;
  for (const line of data.split(LINE_BREAK)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/**
 * What a settled prediction's stream ends with, ids continuing from
 * `nextId`; empty for a prediction the stand-in froze on shutdown, which
 * has no ending to report.
 */
function endingEvents(prediction: StandInPrediction, nextId: number): string {
  switch (prediction.status) {
    case "succeeded":
      return formatEvent("done", nextId, "{}");
    case "canceled":
      return formatEvent("done", nextId, JSON.stringify({ reason: "canceled" }));
    case "failed":
      return (
        formatEvent("error", nextId, JSON.stringify({ detail: prediction.error ?? "prediction failed" })) +
        formatEvent("done", nextId + 1, JSON.stringify({ reason: "error" }))
      );
    default:
      return "";
  }
}

/** What the stream has sent so far: the tokens, or a malformed output as one JSON event. */
function streamedTokens(prediction: StandInPrediction): readonly string[] {
  const { output } = prediction;
  if (output === null) return [];
  return Array.isArray(output) ? output : [JSON.stringify(output)];
}

export function servePredictionStream(book: PredictionBook, id: string, res: ServerResponse): void {
  const prediction = book.predictions.get(id);
  if (prediction === undefined) {
    sendProblem(res, 404, "Not found.");
    return;
  }
  // Only offered URLs are served, so a consumer that builds the URL itself
  // instead of asking for `stream: true` fails here rather than in production.
  if (prediction.urls.stream === undefined) {
    sendProblem(res, 404, "stand-in: this prediction was created without stream: true");
    return;
  }

  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  const output = streamedTokens(prediction);
  let replay = "";
  for (const [index, token] of output.entries()) replay += formatEvent("output", index, token);
  let nextId = output.length;

  const open = (): boolean => !res.writableEnded && !res.destroyed;
  const dispose = book.watch(id, {
    output(index, token) {
      if (!open()) return;
      res.write(formatEvent("output", index, token));
      nextId = index + 1;
    },
    ended() {
      if (open()) res.end(endingEvents(prediction, nextId));
    },
  });
  if (dispose === undefined) {
    // Already settled: the whole story in one go.
    res.end(replay + endingEvents(prediction, nextId));
    return;
  }
  res.on("close", dispose);
  // Flushed even when empty, so the client's fetch resolves before the first token.
  if (replay === "") res.flushHeaders();
  else res.write(replay);
}
