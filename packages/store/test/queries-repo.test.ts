import type { QueryStatus } from "@llm-chat/contracts";
import { describe, expect, it } from "vitest";
import type { Store } from "../src/index.js";
import { storeForFile } from "./support/store-for-file.js";

describe("the queries repository", () => {
  let store: Store;
  storeForFile((opened) => {
    store = opened;
  });

  it("gives the sweeper the open queries created before the cutoff, oldest first, at most the limit", async () => {
    const minute = 60_000;
    const now = Date.now();
    const stored = (status: QueryStatus, minutesAgo: number, seq: number) => ({
      ...store.queries.build({
        userId: "usr_x",
        conversationId: "conv_sweep",
        seq,
        model: "llama2",
        prompt: `${status} ${minutesAgo}`,
        params: {},
        webhook: null,
      }),
      status,
      createdAt: new Date(now - minutesAgo * minute),
    });
    await store.mongo.collections.queries.insertMany([
      stored("running", 5, 0),
      stored("queued", 9, 1),
      stored("succeeded", 20, 2),
      stored("queued", 1, 3),
      stored("running", 7, 4),
      stored("canceled", 30, 5),
      stored("queued", 3, 6),
    ]);

    const cutoff = new Date(now - 2 * minute);
    const stale = await store.queries.findStaleOpen(cutoff, 3);
    expect(stale.map((q) => q.prompt)).toEqual(["queued 9", "running 7", "running 5"]);
    const all = await store.queries.findStaleOpen(cutoff, 10);
    expect(all.map((q) => q.prompt)).toEqual(["queued 9", "running 7", "running 5", "queued 3"]);
  });
});
