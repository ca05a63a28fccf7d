import { isFinal } from "@llm-chat/contracts";
import type { QueryDoc } from "@llm-chat/store";
import { type Request, type Response, Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { DomainError } from "../use-cases/domain-error.js";
import { openEventStream } from "./event-stream.js";
import { followQuery } from "./follow-query.js";
import { fromZodError, invalidParam, OpenAiError } from "./openai-error.js";
import { parseOpenAiBody } from "./parse-body.js";
import type { QueryPort } from "./query-port.js";
import { cancelQuietly, finalRecord, whenClientLeaves } from "./query-watch.js";
import { responseEvents } from "./response-events.js";
import { presentResponse } from "./response-present.js";
import { createResponseBodySchema, inputMessages, isResponseId, retrieveQuerySchema } from "./responses-schema.js";
import { conversationIdFrom, generationParams, submitChat } from "./submit-chat.js";

// A waiting caller is answered when its query ends; the query's own deadline bounds that.
const MAX_WAIT_MS = 2 * 3600_000;

const noSuchResponse = (id: string, param: string | null = null) =>
  new OpenAiError(404, `No response found with id '${id}'.`, "invalid_request_error", param, "not_found");

/** POST /v1/responses, GET /v1/responses/:id (poll or resume a stream), POST /v1/responses/:id/cancel. */
export function responsesRoutes(deps: AppDeps, port: QueryPort): Router {
  const router = Router();

  async function ownResponse(req: Request, id: string, param: string | null = null): Promise<QueryDoc> {
    const doc = isResponseId(id) ? await port.findForUser(id, principal(req).userId) : null;
    if (!doc) throw noSuchResponse(id, param);
    return doc;
  }

  /**
   * Streams the response's events after `after`. `cancelOnLeave`: the stream is the one that
   * created a response not in background, whose client leaving cancels the query.
   */
  async function stream(req: Request, res: Response, query: QueryDoc, after: number, cancelOnLeave: boolean) {
    const events = openEventStream(req, res);
    if (cancelOnLeave) events.gone.addEventListener("abort", () => void cancelQuietly(port, query));
    const numbering = responseEvents(query);
    const emit = (list: ReturnType<typeof numbering.start>) => {
      for (const event of list) if (event.sequence_number > after) events.send(event, event.type);
    };
    try {
      emit(numbering.start());
      for await (const event of followQuery(port, query._id, events.gone)) {
        if (event.type !== "done") {
          emit(numbering.on(event));
          continue;
        }
        emit(numbering.done(await finalRecord(port, query)));
      }
    } catch (err) {
      deps.logger.warn({ err, queryId: query._id }, "response stream broke off");
      events.send(
        { type: "error", code: "server_error", message: "the stream broke off; resume it", param: null },
        "error",
      );
    }
    events.end();
  }

  router.post("/v1/responses", async (req, res) => {
    const { userId } = principal(req);
    const body = parseOpenAiBody(req, createResponseBodySchema);
    let conversationId = conversationIdFrom(undefined, body.metadata);
    const previous = body.previous_response_id ?? null;
    if (previous !== null) {
      if (conversationId !== null) {
        throw invalidParam("previous_response_id", "give previous_response_id or metadata.conversation_id, not both");
      }
      conversationId = (await ownResponse(req, previous, "previous_response_id")).conversationId;
    }
    const background = body.background === true;
    const query = await submitChat(port, userId, {
      responses: { background, instructions: body.instructions ?? null, previousResponseId: previous },
      model: body.model,
      messages: inputMessages(body),
      conversationId,
      params: generationParams(body.temperature, body.top_p, body.max_output_tokens),
      names: {
        messages: "input",
        maxTokens: "max_output_tokens",
        conversation: previous !== null ? "previous_response_id" : "metadata.conversation_id",
      },
    });
    if (body.stream) return stream(req, res, query, -1, !background);
    if (background) return void res.json(presentResponse(query));
    // Not in background: the answer waits for the model, and leaving cancels it.
    const gone = whenClientLeaves(res, () => void cancelQuietly(port, query));
    if (!(await port.waitForDone(query._id, MAX_WAIT_MS, gone))) {
      if (gone.aborted) return;
      throw new OpenAiError(504, "the response did not finish in time", "server_error", null, "timeout");
    }
    res.json(presentResponse(await finalRecord(port, query)));
  });

  router.get("/v1/responses/:id", async (req, res) => {
    const parsed = retrieveQuerySchema.safeParse(req.query);
    if (!parsed.success) throw fromZodError(parsed.error);
    const query = await ownResponse(req, String(req.params.id));
    if (parsed.data.stream === "true") return stream(req, res, query, parsed.data.starting_after ?? -1, false);
    res.json(presentResponse(query));
  });

  router.post("/v1/responses/:id/cancel", async (req, res) => {
    const query = await ownResponse(req, String(req.params.id));
    try {
      // Canceling a finished response changes nothing and answers it as it is.
      if (!isFinal(query.status)) await port.cancel(query);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "query_finished")) throw error;
    }
    res.json(presentResponse(await finalRecord(port, query)));
  });

  return router;
}
