import type { Conversation, ConversationWithMessages, Message, Page, Problem } from "@llm-chat/contracts";
import { withMongo } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register } from "../support/client.js";
import { type System, startSystem } from "../support/system.js";

const EXCHANGES = 125;
const LONG = "x".repeat(32_000); // the longest prompt the API takes

describe("attack: make one read carry every message of a huge conversation", () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("answers the conversation with its first 100 messages and pages the rest by cursor, in order", async () => {
    const url = system.api.url;
    const { key, userId } = await register(url);
    const created = await call<Conversation>(url, "/v1/conversations", { key, json: { model: "llama2" } });
    const conversationId = created.body.id;
    // 250 messages of 32,000 characters (8 MB), written the way the worker writes them;
    // answering them through the API would take minutes of model turns.
    await withMongo(system.isolation.mongoUrl, (client) =>
      client
        .db()
        .collection<{ _id: string }>("messages")
        .insertMany(
          Array.from({ length: EXCHANGES * 2 }, (_, i) => ({
            _id: `msg_${String(i).padStart(26, "0")}_${i % 2 === 0 ? "user" : "assistant"}`,
            conversationId,
            userId,
            queryId: `qry_${String(i >> 1).padStart(26, "0")}`,
            role: i % 2 === 0 ? "user" : "assistant",
            content: `${i} ${LONG}`,
            tokens: 8000,
            order: i,
            createdAt: new Date(),
          })),
        ),
    );

    const first = await call<ConversationWithMessages>(url, `/v1/conversations/${conversationId}`, { key });
    expect(first.status).toBe(200);
    expect(first.body.messages).toHaveLength(100);
    expect(first.body.messagesNextCursor).toEqual(expect.any(String));

    const seen = first.body.messages.map((m) => m.content.split(" ")[0]);
    let cursor = first.body.messagesNextCursor;
    while (cursor) {
      const page = await call<Page<Message>>(
        url,
        `/v1/conversations/${conversationId}/messages?limit=100&cursor=${cursor}`,
        {
          key,
        },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(100);
      seen.push(...page.body.data.map((m) => m.content.split(" ")[0]));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: EXCHANGES * 2 }, (_, i) => String(i)));

    const bad = await call<Problem>(url, `/v1/conversations/${conversationId}/messages?cursor=bm90LWEtY3Vyc29y`, {
      key,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.map((e) => e.pointer)).toEqual(["/cursor"]);
    const stranger = await register(url);
    const theirs = await call(url, `/v1/conversations/${conversationId}/messages`, { key: stranger.key });
    expect(theirs.status).toBe(404);
  });
});
