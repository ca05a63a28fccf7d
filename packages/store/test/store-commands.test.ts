import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { STORE_COMMAND_CHANNEL } from "@llm-chat/contracts";
import { type Isolation, isolate } from "@llm-chat/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";

describe("store commands", () => {
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

  it("are each announced by name on the diagnostics channel, so metrics can count them", async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe(STORE_COMMAND_CHANNEL, listener);
    try {
      await store.mongo.collections.queries.findOne({ _id: "qry_missing" });
      await store.mongo.collections.messages.deleteMany({ conversationId: "conv_missing" });
    } finally {
      unsubscribe(STORE_COMMAND_CHANNEL, listener);
    }
    expect(seen).toEqual(["find", "delete"]);
  });
});
