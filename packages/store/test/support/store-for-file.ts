import { type Isolation, isolate } from "@llm-chat/testkit";
import { afterAll, beforeAll } from "vitest";
import { openStore, type Store } from "../../src/index.js";

/**
 * Opens a store on a database of the file's own before its tests and drops that database
 * after them; `use` receives the opened store (the tests keep it in a variable of theirs).
 */
export function storeForFile(use: (store: Store) => void): void {
  let isolation: Isolation | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    isolation = isolate();
    store = await openStore(isolation.mongoUrl, "store-test");
    use(store);
  });
  afterAll(async () => {
    await store?.close();
    await isolation?.cleanup();
  });
}
