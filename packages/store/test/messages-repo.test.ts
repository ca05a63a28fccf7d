import { type Isolation, isolate } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";

describe("the messages repository", () => {
  let isolation: Isolation;
  let store: Store;

  beforeAll(async () => {
    isolation = isolate();
    store = await openStore(isolation.mongoUrl, "store-test");
  });
  afterAll(async () => {
    await store.close();
    await isolation.cleanup();
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

  it("records an exchange once, and a retry with a different answer keeps the first", async () => {
    const query = queryIn("conv_1", { prompt: "hi" });
    const first = { content: "first answer", tokens: 2 };
    expect(await store.messages.recordExchange(query, 1, first)).toEqual(first);
    expect(await store.messages.recordExchange(query, 1, { content: "second answer", tokens: 2 })).toEqual(first);
    const messages = await store.messages.listForConversation("conv_1");
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hi"],
      ["assistant", "first answer"],
    ]);
  });

  it("reads messages back in submit order, whatever order they were written in", async () => {
    const build = (seq: number) => queryIn("conv_2", { seq, prompt: `q${seq}` });
    await store.messages.recordExchange(build(1), 1, { content: "a1", tokens: 1 });
    await store.messages.recordExchange(build(0), 1, { content: "a0", tokens: 1 });
    const messages = await store.messages.listForConversation("conv_2");
    expect(messages.map((m) => m.content)).toEqual(["q0", "a0", "q1", "a1"]);
    const turns = await store.messages.turnsBetween("conv_2", 1, 1);
    expect(turns).toEqual([{ seq: 1, user: "q1", assistant: "a1", userTokens: 1, assistantTokens: 1 }]);
  });

  it("claims a query for one attempt at a time and never reopens a finished one", async () => {
    const query = queryIn("conv_3");
    await store.queries.insert(query);
    const first = await store.queries.markRunning(query._id, new Date());
    expect(first?.attempts).toBe(1);
    expect(first?.status).toBe("running");
    const second = await store.queries.markRunning(query._id, new Date());
    expect(second?.attempts).toBe(2);
    expect(second?.startedAt?.getTime()).toBe(first?.startedAt?.getTime());
    const metrics = { queueMs: 1, modelMs: 2, totalMs: 3, inputTokens: null, outputTokens: null };
    expect(await store.queries.markSucceeded(query._id, "out", metrics, new Date())).toBe(true);
    expect(await store.queries.markRunning(query._id, new Date())).toBeNull();
    expect(await store.queries.markFailed(query._id, "internal", "late", new Date())).toBe(false);
    expect((await store.queries.findById(query._id))?.status).toBe("succeeded");
  });

  it("refuses a second query with a number its conversation already used", async () => {
    const build = () => queryIn("conv_4");
    await store.queries.insert(build());
    await expect(store.queries.insert(build())).rejects.toMatchObject({ code: 11000 });
    expect(await store.queries.lastSeq("conv_4")).toBe(0);
    expect(await store.queries.lastSeq("conv_none")).toBe(-1);
  });

  it("lets exactly one of a finishing worker and a cancelling client decide how a query ends", async () => {
    for (let round = 0; round < 5; round++) {
      const query = queryIn(`conv_race${round}`);
      await store.queries.insert(query);
      await store.queries.markRunning(query._id, new Date());
      const metrics = { queueMs: 1, modelMs: 2, totalMs: 3, inputTokens: null, outputTokens: null };
      const [succeeded, canceled] = await Promise.all([
        store.queries.markSucceeded(query._id, "out", metrics, new Date()),
        store.queries.markCanceled(query._id, new Date()),
      ]);
      expect([succeeded, canceled].filter(Boolean)).toHaveLength(1);
      const stored = await store.queries.findById(query._id);
      expect(stored?.status).toBe(succeeded ? "succeeded" : "canceled");
      expect(stored?.output).toBe(succeeded ? "out" : null);
    }
  });

  it("puts a canceled query back to canceled when a late claim overwrote it with running", async () => {
    const query = queryIn("conv_late");
    await store.queries.insert(query);
    expect(await store.queries.markCanceled(query._id, new Date())).toBe(true);
    // The worker read the query while it was still queued and writes `running` after the cancel.
    await store.mongo.collections.queries.updateOne({ _id: query._id }, { $set: { status: "running" } });
    expect(await store.queries.isOpen(query._id)).toBe(true);
    expect(await store.queries.settle(query._id)).toBe(true);
    expect((await store.queries.findById(query._id))?.status).toBe("canceled");
    expect(await store.queries.markRunning(query._id, new Date())).toBeNull();
  });

  it("decides nothing for a query that was deleted, and leaves no outcome behind", async () => {
    const query = queryIn("conv_gone");
    await store.queries.insert(query);
    await store.queries.deleteForConversation("conv_gone");
    expect(await store.queries.markFailed(query._id, "internal", "late", new Date())).toBe(false);
    expect(await store.mongo.collections.outcomes.findOne({ _id: query._id })).toBeNull();
  });

  it("finds a query for its owner only", async () => {
    const query = queryIn("conv_owned", { userId: "usr_owner" });
    await store.queries.insert(query);
    expect((await store.queries.findForUser(query._id, "usr_owner"))?._id).toBe(query._id);
    expect(await store.queries.findForUser(query._id, "usr_other")).toBeNull();
  });
});
