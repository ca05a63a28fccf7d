/**
 * Turns a completion plan into the timed writes of its response: one JSON
 * body when the answer is complete, or an SSE stream of chunks as the
 * tokens fall due.
 */
import type { ServerResponse } from "node:http";
import { sendJson } from "../shared/http-json.js";
import type { TimedStep } from "../shared/timeline.js";
import {
  choiceChunk,
  completionObject,
  MALFORMED_COMPLETION,
  MALFORMED_EVENT,
  newCompletionIdentity,
  SSE_DONE,
  sseData,
  usageChunk,
} from "./completion.js";
import type { MalformedPlan, ReplyPlan } from "./plan.js";
import type { ChatRequest } from "./request.js";

const SSE_HEADERS = { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" };

function open(res: ServerResponse): boolean {
  return !res.writableEnded && !res.destroyed;
}

function write(res: ServerResponse, text: string): void {
  if (open(res)) res.write(text);
}

function end(res: ServerResponse, text: string): void {
  if (open(res)) res.end(text);
}

/** Headers at once, so the client's request resolves before the first token. */
function startStream(res: ServerResponse): void {
  if (!open(res)) return;
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
}

function replySteps(res: ServerResponse, request: ChatRequest, plan: ReplyPlan): TimedStep[] {
  const identity = newCompletionIdentity(request.model);
  if (!request.stream) {
    const body = completionObject(identity, plan.content, plan.finishReason, plan.usage);
    return [{ atMs: plan.durationMs, run: () => sendJson(res, 200, body) }];
  }
  const { includeUsage } = request;
  const first: TimedStep = {
    atMs: 0,
    run: () => {
      startStream(res);
      write(res, sseData(choiceChunk(identity, { role: "assistant" }, null, includeUsage)));
    },
  };
  const tokens = plan.tokens.map(
    ({ atMs, token }): TimedStep => ({
      atMs,
      run: () => write(res, sseData(choiceChunk(identity, { content: token }, null, includeUsage))),
    }),
  );
  const last: TimedStep = {
    atMs: plan.durationMs,
    run: () => {
      let text = sseData(choiceChunk(identity, {}, plan.finishReason, includeUsage));
      if (includeUsage) text += sseData(usageChunk(identity, plan.usage));
      end(res, text + SSE_DONE);
    },
  };
  return [first, ...tokens, last];
}

function malformedSteps(res: ServerResponse, request: ChatRequest, plan: MalformedPlan): TimedStep[] {
  if (!request.stream) return [{ atMs: plan.durationMs, run: () => sendJson(res, 200, MALFORMED_COMPLETION) }];
  return [
    { atMs: 0, run: () => startStream(res) },
    { atMs: plan.durationMs, run: () => end(res, MALFORMED_EVENT + SSE_DONE) },
  ];
}

export function responseSteps(res: ServerResponse, request: ChatRequest, plan: ReplyPlan | MalformedPlan): TimedStep[] {
  return plan.kind === "reply" ? replySteps(res, request, plan) : malformedSteps(res, request, plan);
}
