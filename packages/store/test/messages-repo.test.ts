import { describe, expect, it } from "vitest";
import { DuplicateKeyError, type Store } from "../src/index.js";
import { storeForFile } from "./support/store-for-file.js";

describe("the messages repository", () => {
  let store: Store;
  storeForFile((opened) => {
    store = opened;
  });

  /** A new query document (not stored); the fields a test cares about can be set. */
  const queryIn = (conversationId: string, fields: { seq?: number; prompt?: string; userId?: string } = {}) =>
    store.queries.build({
      userId: fields.userId ?? "usr_x",
      conversationId,
      seq: fields.seq ?? 0,
      model: "llama2",
      prompt: fields.prompt ?? "p",
      params: {},
      webhook: null,
    });

  const at = new Date();

  it("writes an exchange once: writing the same decided exchange again changes nothing", async () => {
    const query = queryIn("conv_1", { prompt: "hi" });
    const docs = store.messages.exchange(query, 1, { content: "the answer", tokens: 2 }, at);
    await store.messages.insertExchanges(docs);
    await store.messages.insertExchanges(docs);
    const messages = await store.messages.listForConversation("conv_1");
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hi"],
      ["assistant", "the answer"],
    ]);
  });

  it("reads messages back in submit order, whatever order they were written in", async () => {
    const build = (seq: number) => queryIn("conv_2", { seq, prompt: `q${seq}` });
    await store.messages.insertExchanges([
      ...store.messages.exchange(build(1), 1, { content: "a1", tokens: 1 }, at),
      ...store.messages.exchange(build(0), 1, { content: "a0", tokens: 1 }, at),
    ]);
    const messages = await store.messages.listForConversation("conv_2");
    expect(messages.map((m) => m.content)).toEqual(["q0", "a0", "q1", "a1"]);
    const turns = await store.messages.turnsBetween("conv_2", 1, 1);
    expect(turns).toEqual([{ seq: 1, user: "q1", assistant: "a1", userTokens: 1, assistantTokens: 1 }]);
  });

  it("refuses a second query with a number its conversation already used", async () => {
    const build = () => queryIn("conv_4");
    await store.queries.insert(build());
    await expect(store.queries.insert(build())).rejects.toMatchObject({ code: 11000 });
    expect(await store.queries.lastSeq("conv_4")).toBe(0);
    expect(await store.queries.lastSeq("conv_none")).toBe(-1);
  });

  it("inserts a batch of queries and answers for each: a taken number fails that one only", async () => {
    await store.queries.insert(queryIn("conv_batch", { seq: 1 }));
    const batch = [0, 1, 2].map((seq) => queryIn("conv_batch", { seq }));
    const answers = await store.queries.insertMany(batch);
    expect(answers[0]).toBeNull();
    expect(answers[1]).toBeInstanceOf(DuplicateKeyError);
    expect(answers[2]).toBeNull();
    expect(await store.queries.findById(batch[0]?._id ?? "")).not.toBeNull();
    expect(await store.queries.findById(batch[1]?._id ?? "")).toBeNull();
  });

  it("records the end of many queries at once and names those whose document is gone", async () => {
    const kept = queryIn("conv_final", { seq: 0 });
    const deleted = queryIn("conv_final_gone", { seq: 0 });
    await store.queries.insertMany([kept, deleted]);
    await store.queries.deleteForConversation("conv_final_gone");
    const record = {
      status: "succeeded" as const,
      output: "out",
      error: null,
      finishedAt: at,
      metrics: { queueMs: 1, modelMs: 2, totalMs: 3, inputTokens: null, outputTokens: null },
      attempts: 1,
      startedAt: at,
    };
    const gone = await store.queries.recordFinal([
      { id: kept._id, record },
      { id: deleted._id, record },
    ]);
    expect(gone).toEqual([deleted._id]);
    const stored = await store.queries.findById(kept._id);
    expect(stored?.status).toBe("succeeded");
    expect(stored?.output).toBe("out");
    expect(stored?.attempts).toBe(1);
  });

  it("finds a query for its owner only", async () => {
    const query = queryIn("conv_owned", { userId: "usr_owner" });
    await store.queries.insert(query);
    expect((await store.queries.findForUser(query._id, "usr_owner"))?._id).toBe(query._id);
    expect(await store.queries.findForUser(query._id, "usr_other")).toBeNull();
  });
});
