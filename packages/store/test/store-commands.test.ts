import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { STORE_COMMAND_CHANNEL } from "@llm-chat/contracts";
import { isolate } from "@llm-chat/testkit";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";

describe("store commands", () => {
  it("are each announced by name on the diagnostics channel, so metrics can count them", async () => {
    const isolation = isolate();
    const store = await openStore(isolation.mongoUrl, "store-test");
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe(STORE_COMMAND_CHANNEL, listener);
    try {
      await store.mongo.collections.queries.findOne({ _id: "qry_missing" });
      await store.mongo.collections.messages.deleteMany({ conversationId: "conv_missing" });
    } finally {
      unsubscribe(STORE_COMMAND_CHANNEL, listener);
      await store.close();
      await isolation.cleanup();
    }
    expect(seen).toEqual(["find", "delete"]);
  });
});
