import {
  type ConversationWithMessages,
  conversationIdSchema,
  createConversationBodySchema,
  pageQuerySchema,
} from "@llm-chat/contracts";
import { Router } from "express";
import type { AppDeps } from "../deps.js";
import { principal } from "../http/auth.js";
import { presentConversation } from "../http/present.js";
import { parseBody, parseId, parseQuery } from "../http/validate.js";
import { deleteConversation } from "../use-cases/delete-conversation.js";
import { notFound } from "../use-cases/domain-error.js";
import { requireModel } from "../use-cases/require-model.js";
import { FIRST_MESSAGE_PAGE, messageCursor, messagePage } from "./message-pages.js";
import { cursorId, toPage } from "./pagination.js";

export function conversationRoutes(deps: AppDeps): Router {
  const router = Router();
  const { conversations } = deps.store;

  router.post("/v1/conversations", async (req, res) => {
    const { userId } = principal(req);
    const body = parseBody(req, createConversationBodySchema);
    requireModel(deps.models, body.model);
    const doc = conversations.build({ userId, model: body.model, title: body.title, system: body.system });
    await conversations.insert(doc);
    res.status(201).location(`${deps.config.publicUrl}/v1/conversations/${doc._id}`).json(presentConversation(doc));
  });

  router.get("/v1/conversations", async (req, res) => {
    const { userId } = principal(req);
    const page = parseQuery(req, pageQuerySchema);
    const docs = await conversations.listForUser(userId, page.limit + 1, cursorId(page));
    res.json(toPage(docs, page.limit, presentConversation));
  });

  router.get("/v1/conversations/:id", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", conversationIdSchema, "conversation");
    const doc = await conversations.findForUser(id, userId);
    if (!doc) throw notFound("conversation");
    const first = await messagePage(deps.store, doc._id, null, FIRST_MESSAGE_PAGE);
    const body: ConversationWithMessages = {
      ...presentConversation(doc),
      messages: first.data,
      messagesNextCursor: first.nextCursor,
    };
    res.json(body);
  });

  router.get("/v1/conversations/:id/messages", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", conversationIdSchema, "conversation");
    const page = parseQuery(req, pageQuerySchema);
    const after = messageCursor(page.cursor);
    const doc = await conversations.findForUser(id, userId);
    if (!doc) throw notFound("conversation");
    res.json(await messagePage(deps.store, doc._id, after, page.limit));
  });

  router.delete("/v1/conversations/:id", async (req, res) => {
    const { userId } = principal(req);
    const id = parseId(req, "id", conversationIdSchema, "conversation");
    const doc = await conversations.findForUser(id, userId);
    if (!doc) throw notFound("conversation");
    await deleteConversation(deps, doc._id, doc.userId);
    res.status(204).end();
  });

  return router;
}
