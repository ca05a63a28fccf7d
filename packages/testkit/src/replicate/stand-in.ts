/**
 * Replicate stand-in: a loopback HTTP server that speaks enough of
 * Replicate's predictions API for the official `replicate` client
 * (`new Replicate({ auth: "anything", baseUrl: standIn.url })`), so the
 * system runs end to end without a Replicate account or network.
 *
 * Routes (all need `Authorization: Bearer <anything>`, except that the
 * stream route also admits `Accept: text/event-stream` alone):
 *   POST /v1/models/{owner}/{name}/predictions   { input, stream?, webhook?, ... }
 *   POST /v1/predictions                         { version, input, stream?, ... }
 *   GET  /v1/predictions/{id}
 *   POST /v1/predictions/{id}/cancel
 *   GET  /v1/predictions/{id}/stream             Server-Sent Events
 * Creates honour `Prefer: wait[=N]` (hold until terminal, at most N <= 60 s).
 *
 * Streaming: a create with `"stream": true` gets `urls.stream`; others do
 * not, unlike Replicate today, which offers it on every prediction (set
 * `streamUrls: "always"` for that, e.g. for the official client's
 * `replicate.stream()`, which never sends `stream: true`). The stream replays
 * every token so far, then follows live ones as they are produced:
 *   event: output  id: N  data: <token>   per token (a multi-line token in several data: lines)
 *   event: done    data: {}   or   data: {"reason":"canceled"}
 *   event: error   data: {"detail":"..."}  then  event: done  data: {"reason":"error"}
 * While processing, GET shows the tokens produced so far in `output`.
 *
 * The model echoes: output is the reply `You said: <latest user text>` split
 * into word tokens (see reply.ts). Prompt markers steer a single
 * prediction:
 *   [[fail]]      the prediction ends `failed`, error "stand-in: model failed as asked"
 *   [[slow:MS]]   the prediction takes MS ms instead of latencyMs
 *   [[malformed]] the prediction ends `succeeded` with an output that is
 *                 not text ({"not":"text"}); its stream sends that as one
 *                 `output` event (JSON) and then `done`
 * Tokens come evenly spread over the processing time, or tokenDelayMs apart
 * from latencyMs on when that is set. Webhooks are recorded on the
 * prediction but never delivered.
 */
import { listen } from "../shared/http-listen.js";
import { closer, retune, tuning } from "../shared/stand-in-base.js";
import { defaultBehaviour, mergeBehaviour } from "./behaviour.js";
import { createRequestHandler, type StandInState } from "./handler.js";
import { PredictionBook } from "./prediction-book.js";
import type { ReplicateStandIn, StandInCounts, StandInOptions } from "./types.js";

function emptyCounts(): StandInCounts {
  return { creates: 0, gets: 0, cancels: 0, sent429: 0, sent500: 0, streams: 0 };
}

export async function startReplicateStandIn(options: StandInOptions = {}): Promise<ReplicateStandIn> {
  const { host = "127.0.0.1", port = 0, streamOrigin: where = "same", ...behaviourOptions } = options;
  const behaviour = mergeBehaviour(defaultBehaviour(), behaviourOptions);
  let url = "";
  let streamUrl = "";
  const state: StandInState = {
    ...tuning(behaviour),
    inputs: [],
    streamRequests: [],
    counts: emptyCounts(),
    book: new PredictionBook((id) => ({
      get: `${url}/predictions/${id}`,
      cancel: `${url}/predictions/${id}/cancel`,
      stream: `${streamUrl}/predictions/${id}/stream`,
    })),
  };

  // Handlers learn their listener's origin once it is bound, before any request can arrive.
  let apiOrigin = "";
  let streamsOrigin = "";
  const { server, origin } = await listen(
    createRequestHandler(state, () => apiOrigin),
    host,
    port,
  );
  apiOrigin = origin;
  url = `${origin}/v1`;
  const streams =
    where === "separate"
      ? await listen(
          createRequestHandler(state, () => streamsOrigin),
          host,
          0,
        )
      : null;
  streamsOrigin = streams?.origin ?? origin;
  const servers = streams === null ? [server] : [server, streams.server];
  streamUrl = `${streamsOrigin}/v1`;

  return {
    url,
    inputs: state.inputs,
    predictions: state.book.predictions,
    counts: state.counts,
    streamOrigin: streamsOrigin,
    streamRequests: state.streamRequests,
    setBehaviour(patch) {
      retune(state, patch, mergeBehaviour);
    },
    reset() {
      // Mutated in place: callers may hold references to these.
      state.inputs.length = 0;
      state.streamRequests.length = 0;
      Object.assign(state.counts, emptyCounts());
    },
    close: closer(servers, () => state.book.stopAll()),
  };
}
