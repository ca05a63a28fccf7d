import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_WINDOW_MS, type Store } from "../src/index.js";
import { storeForFile } from "./support/store-for-file.js";

describe("idempotency records", () => {
  let store: Store;
  const now = new Date("2026-01-01T00:00:00Z");
  storeForFile((opened) => {
    store = opened;
  });

  it("name one query id to every request with the key, whichever of them wrote the record", async () => {
    const records = await Promise.all(
      ["qry_a", "qry_b", "qry_c"].map((id) => store.idempotency.reserve("usr_1", "race", "h", id, now)),
    );
    expect(new Set(records.map((r) => r.queryId)).size).toBe(1);
  });

  it("are let go only for the query they name, so a late failure cannot free a successor's record", async () => {
    const first = await store.idempotency.reserve("usr_1", "late", "h", "qry_first", now);
    await store.idempotency.release("usr_1", "late", "qry_other");
    expect((await store.idempotency.find("usr_1", "late"))?.queryId).toBe(first.queryId);
    await store.idempotency.release("usr_1", "late", first.queryId);
    expect((await store.idempotency.reserve("usr_1", "late", "h2", "qry_next", now)).queryId).toBe("qry_next");
  });

  it("give a record of an earlier version, written without a query id, the id of the request that finds it", async () => {
    await store.mongo.collections.idempotency.insertOne({
      _id: "usr_1:legacy",
      userId: "usr_1",
      bodyHash: "h",
      queryId: null,
      createdAt: now,
    });
    expect((await store.idempotency.reserve("usr_1", "legacy", "h", "qry_adopted", now)).queryId).toBe("qry_adopted");
  });

  it("start afresh once the window is over", async () => {
    await store.idempotency.reserve("usr_1", "old", "h", "qry_old", now);
    const later = new Date(now.getTime() + IDEMPOTENCY_WINDOW_MS + 1);
    const record = await store.idempotency.reserve("usr_1", "old", "h", "qry_new", later);
    expect(record.queryId).toBe("qry_new");
  });
});
