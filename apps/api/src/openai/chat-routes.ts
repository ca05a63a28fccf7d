import type { QueryDoc } from "@llm-chat/store";
import { type Request, type Response, Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { chatUsage, finishReason, presentChunk, presentCompletion } from "./chat-present.js";
import { chatCompletionBodySchema, contentText } from "./chat-schema.js";
import { openEventStream } from "./event-stream.js";
import { followQuery } from "./follow-query.js";
import { OpenAiError } from "./openai-error.js";
import { parseOpenAiBody } from "./parse-body.js";
import { chatFailure } from "./query-failure.js";
import type { QueryPort } from "./query-port.js";
import { cancelQuietly, finalRecord, whenClientLeaves } from "./query-watch.js";
import { conversationIdFrom, generationParams, submitChat } from "./submit-chat.js";

// A waiting caller is answered when its query ends; the query's own deadline bounds that.
const MAX_WAIT_MS = 2 * 3600_000;

/** POST /v1/chat/completions: each call is a query on the queue, answered when it is done or streamed as it runs. */
export function chatRoutes(deps: AppDeps, port: QueryPort): Router {
  const router = Router();
  const defaultMaxTokens = (model: string) => deps.models.get(model)?.defaultMaxTokens ?? 0;

  async function answer(res: Response, query: QueryDoc) {
    const gone = whenClientLeaves(res, () => void cancelQuietly(port, query));
    if (!(await port.waitForDone(query._id, MAX_WAIT_MS, gone))) {
      if (gone.aborted) return;
      throw new OpenAiError(504, "the request did not finish in time", "server_error", null, "timeout");
    }
    const final = await finalRecord(port, query);
    if (final.status !== "succeeded") throw chatFailure(final);
    res.json(presentCompletion(final, defaultMaxTokens(final.model)));
  }

  async function stream(req: Request, res: Response, query: QueryDoc, includeUsage: boolean) {
    const events = openEventStream(req, res);
    events.gone.addEventListener("abort", () => void cancelQuietly(port, query));
    events.send(presentChunk(query, { role: "assistant", content: "" }, null));
    try {
      for await (const event of followQuery(port, query._id, events.gone)) {
        if (event.type === "output") events.send(presentChunk(query, { content: event.delta }, null));
        if (event.type !== "done") continue;
        const final = await finalRecord(port, query);
        if (final.status !== "succeeded") {
          // OpenAI's SDKs turn a data message with `error` into a thrown APIError.
          events.send(chatFailure(final).body);
          break;
        }
        events.send(presentChunk(final, {}, finishReason(final, defaultMaxTokens(final.model))));
        if (includeUsage) events.send(presentChunk(final, {}, null, chatUsage(final)));
        events.sendRaw("[DONE]");
      }
    } catch (err) {
      deps.logger.warn({ err, queryId: query._id }, "chat completion stream broke off");
      events.send(new OpenAiError(503, "the stream broke off; try again", "server_error").body);
    }
    events.end();
  }

  router.post("/v1/chat/completions", async (req, res) => {
    const { userId } = principal(req);
    const body = parseOpenAiBody(req, chatCompletionBodySchema);
    const query = await submitChat(port, userId, {
      model: body.model,
      messages: body.messages.map((m) => ({ role: m.role, text: contentText(m.content) })),
      conversationId: conversationIdFrom(req.header("x-conversation-id"), body.metadata),
      params: generationParams(body.temperature, body.top_p, body.max_completion_tokens ?? body.max_tokens),
      names: {
        messages: "messages",
        maxTokens: body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
        conversation: req.header("x-conversation-id") !== undefined ? "X-Conversation-Id" : "metadata.conversation_id",
      },
    });
    // Where this exchange was recorded: send it back as X-Conversation-Id to continue there.
    res.set({ "X-Conversation-Id": query.conversationId, "X-Query-Id": query._id });
    if (body.stream) await stream(req, res, query, body.stream_options?.include_usage === true);
    else await answer(res, query);
  });

  return router;
}
