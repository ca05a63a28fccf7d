/** Routes Replicate's predictions API onto the stand-in's state. */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { readJsonBody, sendJson } from "../shared/http-json.js";
import { drawFault, guarded, INJECTED_SERVER_ERROR, type Tuning } from "../shared/stand-in-base.js";
import type { ResolvedBehaviour } from "./behaviour.js";
import { type CreateTarget, invalidDetail, parseCreate } from "./create-request.js";
import { acceptsEventStream, hasCredentials, preferWaitSeconds } from "./http-headers.js";
import type { PredictionBook } from "./prediction-book.js";
import { planPrediction } from "./prediction-plan.js";
import { servePredictionStream } from "./prediction-stream.js";
import { sendProblem } from "./problem.js";
import type { CreateOutcome, RecordedCreate, RecordedStreamRequest, StandInCounts } from "./types.js";

const MAX_BODY_BYTES = 1_048_576;
const MODEL_PREDICTIONS = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions\/?$/;
const VERSION_PREDICTIONS = /^\/v1\/predictions\/?$/;
const PREDICTION = /^\/v1\/predictions\/([^/]+)\/?$/;
const PREDICTION_CANCEL = /^\/v1\/predictions\/([^/]+)\/cancel\/?$/;
const PREDICTION_STREAM = /^\/v1\/predictions\/([^/]+)\/stream\/?$/;

export interface StandInState extends Tuning<ResolvedBehaviour> {
  readonly inputs: RecordedCreate[];
  readonly streamRequests: RecordedStreamRequest[];
  readonly counts: StandInCounts;
  readonly book: PredictionBook;
}

/** `origin` names the listener the handler serves, so stream requests record where they went. */
export function createRequestHandler(state: StandInState, origin: () => string): RequestListener {
  return guarded(
    (req, res) => route(state, origin(), req, res),
    (res, message) => sendProblem(res, 500, message),
  );
}

async function route(state: StandInState, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://stand-in.invalid").pathname;
  const isPost = req.method === "POST";
  const stream = req.method === "GET" ? PREDICTION_STREAM.exec(path) : null;
  if (stream !== null) state.streamRequests.push({ origin, authorization: req.headers.authorization ?? null });
  // The official client fetches urls.stream with only `Accept:
  // text/event-stream` and no token (Replicate's stream URLs are
  // capabilities), so that header admits a stream request too.
  const admitted =
    hasCredentials(req.headers.authorization) || (stream !== null && acceptsEventStream(req.headers.accept));
  if (!admitted) {
    sendProblem(res, 401, "You did not pass a valid authentication token", { title: "Unauthenticated" });
    return;
  }
  if (stream !== null) {
    state.counts.streams += 1;
    return servePredictionStream(state.book, decodeURIComponent(stream[1] ?? ""), res);
  }

  const byModel = MODEL_PREDICTIONS.exec(path);
  if (isPost && byModel !== null) {
    const [, owner = "", name = ""] = byModel;
    const model = `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`;
    return create(state, req, res, { kind: "model", model });
  }
  if (isPost && VERSION_PREDICTIONS.test(path)) return create(state, req, res, { kind: "version" });

  const cancel = PREDICTION_CANCEL.exec(path);
  if (isPost && cancel !== null) {
    state.counts.cancels += 1;
    return sendPrediction(res, state.book.cancel(decodeURIComponent(cancel[1] ?? "")));
  }
  const get = PREDICTION.exec(path);
  if (req.method === "GET" && get !== null) {
    state.counts.gets += 1;
    return sendPrediction(res, state.book.predictions.get(decodeURIComponent(get[1] ?? "")));
  }
  sendProblem(res, 404, "Not found.");
}

function sendPrediction(res: ServerResponse, prediction: object | undefined): void {
  if (prediction === undefined) sendProblem(res, 404, "Not found.");
  else sendJson(res, 200, prediction);
}

async function create(
  state: StandInState,
  req: IncomingMessage,
  res: ServerResponse,
  target: CreateTarget,
): Promise<void> {
  const at = Date.now();
  state.counts.creates += 1;
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  if (!body.ok) return sendProblem(res, body.status, body.detail);
  const parsed = parseCreate(body.value, target);
  if (!parsed.ok) {
    const extra = { title: "Input validation failed", invalid_fields: parsed.invalid };
    return sendProblem(res, 422, invalidDetail(parsed.invalid), extra);
  }
  const { request } = parsed;
  const record = (outcome: CreateOutcome, predictionId: string | null): void => {
    state.inputs.push({
      model: request.model,
      input: request.input,
      at,
      outcome,
      predictionId,
      stream: request.stream,
    });
  };

  const { behaviour } = state;
  const fault = drawFault(state, state.counts);
  if (fault === "rate-limited") {
    record(fault, null);
    const seconds = behaviour.retryAfterSeconds;
    const detail = `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? "" : "s"}.`;
    return sendProblem(res, 429, detail, { title: "Request was throttled." }, { "Retry-After": String(seconds) });
  }
  if (fault === "server-error") {
    record(fault, null);
    return sendProblem(res, 500, INJECTED_SERVER_ERROR, { title: "Internal Server Error" });
  }

  const plan = planPrediction(request.prompt, request.input, behaviour);
  const stream = request.stream || behaviour.streamUrls === "always";
  const prediction = state.book.create({ ...request, stream, plan });
  record("created", prediction.id);

  const waitSeconds = preferWaitSeconds(req.headers.prefer);
  if (waitSeconds === undefined) return sendJson(res, 201, prediction);
  // Replicate's sync mode: hold the 201 until terminal or the wait runs out.
  const dispose = state.book.waitFor(prediction.id, waitSeconds * 1000, () => sendJson(res, 201, prediction));
  res.on("close", dispose);
}
