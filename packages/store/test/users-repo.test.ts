import { describe, expect, it } from "vitest";
import { hashApiKey, type Store } from "../src/index.js";
import { storeForFile } from "./support/store-for-file.js";

describe("API keys", () => {
  let store: Store;
  storeForFile((opened) => {
    store = opened;
  });

  it("carry their key id, so a presented key is found by _id and then checked by hash", async () => {
    const { doc, secret } = await store.users.createApiKey("usr_k", "ci");
    expect(secret).toMatch(new RegExp(`^llmc_${doc._id.slice(4)}_[A-Za-z0-9_-]{40}$`));
    expect((await store.users.findKeyBySecret(secret))?._id).toBe(doc._id);
    const last = secret.at(-1) === "A" ? "B" : "A";
    expect(await store.users.findKeyBySecret(secret.slice(0, -1) + last)).toBeNull();
    expect(await store.users.revokeApiKey(doc._id, "usr_k")).toBe(true);
    expect(await store.users.findKeyBySecret(secret)).toBeNull();
  });

  it("refuse keys of the older form without an id, even one that is stored", async () => {
    const secret = "llmc_legacyrandompartthatcarriesnoidatall123";
    await store.mongo.collections.apiKeys.insertOne({
      _id: "key_01LEGACY0000000000000000000",
      userId: "usr_k",
      name: "old",
      prefix: secret.slice(0, 11),
      hash: hashApiKey(secret),
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await store.users.findKeyBySecret(secret)).toBeNull();
  });
});
