/** Routes the OpenAI-compatible API onto the OpenAI stand-in's state. */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { readJsonBody, sendJson } from "../shared/http-json.js";
import { drawFault, guarded, INJECTED_SERVER_ERROR, type Tuning } from "../shared/stand-in-base.js";
import { runTimeline, type TimedStep } from "../shared/timeline.js";
import type { ResolvedOpenAIBehaviour } from "./behaviour.js";
import { invalidRequest, sendOpenAIError, serverError } from "./error.js";
import { planCompletion, REFUSAL_MESSAGE } from "./plan.js";
import { parseChatRequest } from "./request.js";
import { responseSteps } from "./respond.js";
import type { CompletionOutcome, OpenAIStandInCounts, RecordedCompletion } from "./types.js";

// Chat histories grow long; this is generous for a test yet bounded.
const MAX_BODY_BYTES = 4 * 1_048_576;
const CHAT_COMPLETIONS = /^\/v1\/chat\/completions\/?$/;
const MODELS = /^\/v1\/models\/?$/;
// vLLM model ids contain slashes (meta-llama/Llama-3.1-8B-Instruct); the
// official client sends them percent-encoded, other clients may not.
const MODEL = /^\/v1\/models\/(.+?)\/?$/;
const NO_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

export interface OpenAIState extends Tuning<ResolvedOpenAIBehaviour> {
  readonly requests: RecordedCompletion[];
  readonly counts: OpenAIStandInCounts;
  /** Stoppers of the completions whose answer is still being produced. */
  readonly flights: Set<() => void>;
  /** Unix seconds, the `created` of every listed model. */
  readonly startedAt: number;
}

export function createOpenAIHandler(state: OpenAIState): RequestListener {
  return guarded(
    (req, res) => {
      // Every OpenAI response carries one; the client exposes it as `_request_id`.
      res.setHeader("x-request-id", `req_${randomBytes(16).toString("hex")}`);
      return route(state, req, res);
    },
    (res, message) => sendOpenAIError(res, 500, serverError(message)),
  );
}

/** OpenAI takes only `Bearer <key>`; Ollama and vLLM ignore the key but clients must send one. */
function hasBearerToken(authorization: string | undefined): boolean {
  return /^Bearer[ \t]+\S/i.test(authorization ?? "");
}

async function route(state: OpenAIState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://stand-in.invalid").pathname;
  if (!hasBearerToken(req.headers.authorization)) {
    return sendOpenAIError(res, 401, invalidRequest(NO_KEY_MESSAGE));
  }
  if (req.method === "POST" && CHAT_COMPLETIONS.test(path)) return complete(state, req, res);
  if (req.method === "GET" && MODELS.test(path)) {
    const data = state.behaviour.models.map((id) => modelObject(state, id));
    return sendJson(res, 200, { object: "list", data });
  }
  const model = req.method === "GET" ? MODEL.exec(path) : null;
  if (model !== null) return sendModel(res, state, decodeURIComponent(model[1] ?? ""));
  sendOpenAIError(res, 404, invalidRequest(`Invalid URL (${req.method ?? "GET"} ${path})`));
}

function modelObject(state: OpenAIState, id: string): object {
  return { id, object: "model", created: state.startedAt, owned_by: "stand-in" };
}

function sendModel(res: ServerResponse, state: OpenAIState, id: string): void {
  if (state.behaviour.models.includes(id)) sendJson(res, 200, modelObject(state, id));
  else sendModelNotFound(res, id);
}

function sendModelNotFound(res: ServerResponse, id: string): void {
  const message = `The model \`${id}\` does not exist or you do not have access to it.`;
  sendOpenAIError(res, 404, invalidRequest(message, null, "model_not_found"));
}

async function complete(state: OpenAIState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  state.counts.completions += 1;
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  if (!body.ok) {
    const message =
      body.status === 413
        ? body.detail
        : "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
    return sendOpenAIError(res, body.status, invalidRequest(message));
  }
  const parsed = parseChatRequest(body.value);
  if (!parsed.ok) return sendOpenAIError(res, 400, parsed.error);
  const { request } = parsed;
  if (request.stream) state.counts.streams += 1;
  const record: RecordedCompletion = {
    model: request.model,
    messages: request.messages,
    stream: request.stream,
    at,
    outcome: "pending",
    body: request.body,
  };
  state.requests.push(record);

  const { behaviour } = state;
  if (!behaviour.models.includes(request.model)) {
    record.outcome = "model-not-found";
    return sendModelNotFound(res, request.model);
  }
  const fault = drawFault(state, state.counts);
  if (fault === "rate-limited") {
    record.outcome = fault;
    const seconds = behaviour.retryAfterSeconds;
    const message = `Rate limit reached for ${request.model} on requests per min (RPM). Please try again in ${seconds}s.`;
    const error = { message, type: "rate_limit_error", param: null, code: "rate_limit_exceeded" };
    return sendOpenAIError(res, 429, error, { "Retry-After": String(seconds) });
  }
  if (fault === "server-error") {
    record.outcome = fault;
    return sendOpenAIError(res, 500, serverError(INJECTED_SERVER_ERROR));
  }

  const plan = planCompletion(request, behaviour);
  switch (plan.kind) {
    case "refused":
      record.outcome = "refused";
      return sendOpenAIError(res, 400, invalidRequest(REFUSAL_MESSAGE, "messages", "invalid_prompt"));
    case "reply-threw": {
      state.counts.sent500 += 1;
      record.outcome = "server-error";
      return sendOpenAIError(res, 500, serverError(`stand-in: reply threw: ${plan.message}`));
    }
    case "malformed":
      return playOut(state, res, record, responseSteps(res, request, plan), "malformed");
    case "reply":
      return playOut(state, res, record, responseSteps(res, request, plan), "completed");
  }
}

/**
 * Plays the response's steps, keeping the record's outcome and the set of
 * completions in flight up to date; a client that goes away stops its
 * timers at once.
 */
function playOut(
  state: OpenAIState,
  res: ServerResponse,
  record: RecordedCompletion,
  steps: readonly TimedStep[],
  outcome: CompletionOutcome,
): void {
  let settled = false;
  let cancel: (() => void) | undefined;
  const settle = (how: CompletionOutcome): void => {
    if (settled) return;
    settled = true;
    cancel?.();
    record.outcome = how;
    state.flights.delete(stop);
  };
  const stop = (): void => settle("stopped");
  state.flights.add(stop);
  // Also fires after a complete response, by when settle has already run.
  res.on("close", () => settle("client-closed"));
  cancel = runTimeline(steps, () => settle(outcome));
}
