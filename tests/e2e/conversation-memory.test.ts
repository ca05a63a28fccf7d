import type { Conversation, ConversationWithMessages, Message, Page, Query } from "@llm-chat/contracts";
import { testRedisUrl, withMongo } from "@llm-chat/testkit";
import { Redis } from "ioredis";
import llamaTokenizer from "llama-tokenizer-js";
import { afterEach, describe, expect, it } from "vitest";
import { call, register, waitForQuery } from "./support/client.js";
import { type System, startSystem } from "./support/system.js";

const SUMMARY_HEADING = "Summary of the earlier conversation:";

describe("conversation memory and order", () => {
  let system: System | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  async function conversation(url: string, key: string): Promise<string> {
    const res = await call<Conversation>(url, "/v1/conversations", { key, json: { model: "llama2" } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const submit = async (url: string, key: string, conversationId: string, prompt: string) => {
    const res = await call<Query>(url, "/v1/queries", { key, json: { conversationId, prompt } });
    expect(res.status).toBe(202);
    return res.body;
  };

  it("answers prompts submitted at once to one conversation in order, each seeing the answers before it, while other conversations go ahead", async () => {
    system = await startSystem({ standIn: { latencyMs: 700 } });
    const { url } = system.api;
    const { key } = await register(url);
    const [a, b] = [await conversation(url, key), await conversation(url, key)];

    // Each is accepted (202) before the next is sent, so the submit order is known; the three go
    // back to back, well within the first one's 700 ms with the model.
    const first = await submit(url, key, a, "first question");
    const second = await submit(url, key, a, "second question");
    const third = await submit(url, key, a, "third question");
    const other = await submit(url, key, b, "other conversation");

    const done = await Promise.all([first, second, third, other].map((q) => waitForQuery(url, key, q.id)));
    expect(done.map((q) => q.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);

    const prompts = system.standIn.inputs.map((i) => String(i.input.prompt));
    const inA = prompts.filter((p) => / question \[\/INST\]$/.test(p));
    expect(inA).toHaveLength(3);
    expect(inA[0]).toMatch(/first question \[\/INST\]$/);
    expect(inA[1]).toContain("first question [/INST] You said: first question </s>");
    expect(inA[1]).toMatch(/second question \[\/INST\]$/);
    expect(inA[2]).toContain("You said: first question");
    expect(inA[2]).toContain("You said: second question");
    expect(inA[2]).toMatch(/third question \[\/INST\]$/);

    // The other conversation was not held up behind the three.
    const finished = (q: Query) => Date.parse(q.finishedAt ?? "");
    const [d1, d2, d3, dOther] = done as [Query, Query, Query, Query];
    expect(finished(dOther)).toBeLessThan(finished(d2));
    expect(finished(d1)).toBeLessThan(finished(d2));
    expect(finished(d2)).toBeLessThan(finished(d3));
  });

  it("keeps a 60-turn conversation of long turns inside the model's window and carries a summary once turns are dropped", async () => {
    system = await startSystem({ standIn: { latencyMs: 20 } });
    const { url } = system.api;
    const { key } = await register(url);
    const id = await conversation(url, key);
    const filler = "The committee reviewed the quarterly figures and the travel budget in detail. ".repeat(14);

    const queries: Query[] = [];
    for (let turn = 0; turn < 60; turn++) queries.push(await submit(url, key, id, `Turn ${turn}. ${filler}`));
    const done = await Promise.all(queries.map((q) => waitForQuery(url, key, q.id, 120_000)));
    expect(done.every((q) => q.status === "succeeded")).toBe(true);

    const budget = 4096 - 512;
    const sent = system.standIn.inputs.map((i) => String(i.input.prompt));
    for (const prompt of sent) {
      expect(llamaTokenizer.encode(prompt, false, true).length).toBeLessThanOrEqual(budget);
    }
    const turnPrompts = sent.filter((p) => /^<s>\[INST\] .*Turn \d+\./s.test(p) && !p.includes("running summary"));
    expect(turnPrompts).toHaveLength(60);
    const last = turnPrompts[59] ?? "";
    expect(last).not.toContain("Turn 0.");
    expect(last).toContain(SUMMARY_HEADING);
    // Summaries were written by the model through their own jobs.
    expect(sent.some((p) => p.includes("You keep the running summary of a conversation"))).toBe(true);

    const stored = await call<ConversationWithMessages>(url, `/v1/conversations/${id}`, { key });
    expect(stored.body.summary?.throughSeq).toBeGreaterThan(0);
    // The conversation carries the first 100 messages; the rest is one more page away.
    expect(stored.body.messages).toHaveLength(100);
    const rest = await call<Page<Message>>(
      url,
      `/v1/conversations/${id}/messages?cursor=${stored.body.messagesNextCursor}`,
      { key },
    );
    expect(rest.body.data).toHaveLength(20);
    expect(rest.body.nextCursor).toBeNull();
    const tokens = done.map((q) => q.metrics.inputTokens ?? 0);
    expect(Math.max(...tokens)).toBeGreaterThan(0);
  });

  it("rebuilds the history from MongoDB when Redis has lost it between two turns", async () => {
    system = await startSystem({ standIn: { latencyMs: 20 } });
    const { url } = system.api;
    const { key } = await register(url);
    const id = await conversation(url, key);
    await waitForQuery(url, key, (await submit(url, key, id, "remember the number 42")).id);

    // Everything this system keeps in Redis is under its prefix: drop all of it.
    const redis = new Redis(testRedisUrl());
    try {
      const keys = await redis.keys(`${system.isolation.queuePrefix}:*`);
      expect(keys.some((k) => k.includes(":history:"))).toBe(true);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }

    const second = await waitForQuery(url, key, (await submit(url, key, id, "what was the number?")).id);
    expect(second.status).toBe("succeeded");
    const prompt = String(system.standIn.inputs.at(-1)?.input.prompt);
    expect(prompt).toContain("remember the number 42 [/INST] You said: remember the number 42 </s>");
  });

  it("deletes a conversation with its messages, queries and Redis state, for its owner only", async () => {
    system = await startSystem({ standIn: { latencyMs: 20 } });
    const { url } = system.api;
    const owner = await register(url);
    const stranger = await register(url);
    const id = await conversation(url, owner.key);
    const query = await submit(url, owner.key, id, "hello");
    await waitForQuery(url, owner.key, query.id);

    expect((await call(url, `/v1/conversations/${id}`, { key: stranger.key, method: "DELETE" })).status).toBe(404);
    expect((await call(url, `/v1/conversations/${id}`, { key: owner.key, method: "DELETE" })).status).toBe(204);
    expect((await call(url, `/v1/conversations/${id}`, { key: owner.key })).status).toBe(404);
    expect((await call(url, `/v1/queries/${query.id}`, { key: owner.key })).status).toBe(404);

    const left = await withMongo(system.isolation.mongoUrl, async (client) => ({
      messages: await client.db().collection("messages").countDocuments({ conversationId: id }),
      queries: await client.db().collection("queries").countDocuments({ conversationId: id }),
    }));
    expect(left).toEqual({ messages: 0, queries: 0 });
    const redis = new Redis(testRedisUrl());
    try {
      expect(await redis.exists(`${system.isolation.queuePrefix}:history:${id}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
