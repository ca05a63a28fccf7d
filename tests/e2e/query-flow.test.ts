import type { Conversation, ConversationWithMessages, ModelInfo, Page, Query } from "@llm-chat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

describe("the asynchronous query flow", () => {
  let system: System;
  let url: string;

  beforeAll(async () => {
    system = await startSystem({ standIn: { latencyMs: 100 } });
    url = system.api.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("answers a conversation's prompts in order, with earlier turns in the model's prompt, and hides it from other users", async () => {
    const alice = await register(url);

    const created = await call<Conversation>(url, "/v1/conversations", {
      key: alice.key,
      json: { model: "llama2", title: "first chat", system: "You are terse." },
    });
    expect(created.status).toBe(201);
    expect(created.body.model).toBe("llama2");
    const conversationId = created.body.id;

    const first = await call<Query>(url, "/v1/queries", {
      key: alice.key,
      json: { conversationId, prompt: "What is the capital of France?" },
    });
    expect(first.status).toBe(202);
    expect(first.body.status).toBe("queued");
    expect(first.headers.get("location")).toBe(`/v1/queries/${first.body.id}`);

    const firstDone = await waitForQuery(url, alice.key, first.body.id);
    expect(firstDone.status).toBe("succeeded");
    expect(firstDone.output).toBe("You said: What is the capital of France?");
    expect(firstDone.attempts).toBe(1);
    expect(firstDone.metrics.totalMs).toBeGreaterThan(0);
    expect(firstDone.metrics.outputTokens).toBeGreaterThan(0);

    const second = await call<Query>(url, "/v1/queries", {
      key: alice.key,
      json: { conversationId, prompt: "And of Italy?" },
    });
    expect(second.status).toBe(202);
    const secondDone = await waitForQuery(url, alice.key, second.body.id);
    expect(secondDone.output).toBe("You said: And of Italy?");

    // The model saw the first exchange, in Llama 2's chat format, when answering the second.
    const prompts = system.standIn.inputs.map((i) => String(i.input.prompt));
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toBe(
      "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is the capital of France? [/INST] " +
        "You said: What is the capital of France? </s><s>[INST] And of Italy? [/INST]",
    );
    expect(system.standIn.inputs[1]?.input.prompt_template).toBe("{prompt}");
    expect(system.standIn.inputs[1]?.model).toBe("meta/llama-2-7b-chat");

    const conversation = await call<ConversationWithMessages>(url, `/v1/conversations/${conversationId}`, {
      key: alice.key,
    });
    expect(conversation.status).toBe(200);
    expect(conversation.body.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "What is the capital of France?"],
      ["assistant", "You said: What is the capital of France?"],
      ["user", "And of Italy?"],
      ["assistant", "You said: And of Italy?"],
    ]);

    const bob = await register(url);
    const bobConversation = await call(url, `/v1/conversations/${conversationId}`, { key: bob.key });
    expect(bobConversation.status).toBe(404);
    expect(bobConversation.headers.get("content-type")).toContain("application/problem+json");
    const bobQuery = await call(url, `/v1/queries/${first.body.id}`, { key: bob.key });
    expect(bobQuery.status).toBe(404);
    // Exactly like an id that does not exist at all.
    const missing = await call(url, `/v1/queries/qry_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { key: bob.key });
    expect(bobQuery.body).toEqual(missing.body);
    const bobSubmit = await call(url, "/v1/queries", { key: bob.key, json: { conversationId, prompt: "hi" } });
    expect(bobSubmit.status).toBe(404);
    const bobList = await call<Page<Conversation>>(url, "/v1/conversations", { key: bob.key });
    expect(bobList.body.data).toEqual([]);

    // Requests were logged, but never the secrets they carried.
    const logs = system.api.lines.join("\n");
    expect(logs).toContain("/v1/queries");
    expect(logs).not.toContain(alice.key);
    expect(logs).not.toContain("correct horse battery staple");
  });

  it("starts a new conversation when a query names none, using the model it asks for", async () => {
    const user = await register(url);
    const submitted = await call<Query>(url, "/v1/queries", {
      key: user.key,
      json: { prompt: "Bonjour", model: "mistral", system: "Answer in French." },
    });
    expect(submitted.status).toBe(202);
    const done = await waitForQuery(url, user.key, submitted.body.id);
    expect(done.status).toBe("succeeded");
    const sent = system.standIn.inputs.find((i) => String(i.input.prompt).includes("Bonjour"));
    expect(sent?.model).toBe("mistralai/mistral-7b-instruct-v0.2");
    // Mistral has no system role: the system text leads the first user turn.
    expect(sent?.input.prompt).toBe("<s>[INST] Answer in French.\n\nBonjour [/INST]");
    const conversation = await call<ConversationWithMessages>(url, `/v1/conversations/${done.conversationId}`, {
      key: user.key,
    });
    expect(conversation.body.model).toBe("mistral");
    expect(conversation.body.messages).toHaveLength(2);
  });

  it("lists a user's conversations newest first, a page at a time", async () => {
    const user = await register(url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call<Conversation>(url, "/v1/conversations", { key: user.key, json: { model: "llama2" } });
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await call<Page<Conversation>>(url, `/v1/conversations${query}`, {
        key: user.key,
      });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("lists the models it serves and answers health and readiness without a key", async () => {
    const user = await register(url);
    const models = await call<{ data: ModelInfo[] }>(url, "/v1/models", { key: user.key });
    expect(models.body.data.map((m) => m.id)).toEqual(["llama2", "mistral"]);
    expect((await call(url, "/healthz")).status).toBe(200);
    const ready = await call<{ redis: string; mongo: string }>(url, "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ redis: "ok", mongo: "ok" });
    expect((await call(url, "/v1/models")).status).toBe(401);
  });
});
