import { isolate } from "@llm-chat/testkit";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";

/** The PostgreSQL plan nodes FerretDB's `explain` returns, flattened. */
interface PlanNode {
  "Node Type"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

// The embedded store is FerretDB on PostgreSQL (scripts/services.sh). FerretDB filters by
// `_jsonb->'field' @> value`, which its own btree indexes cannot answer; the GIN indexes
// added by scripts/lib/ferretdb-indexes.sql can. Without them each lookup reads the table.
describe("the embedded store (FerretDB on PostgreSQL)", () => {
  it("finds a document by _id, and a conversation's messages, through an index instead of reading the collection", async () => {
    const isolation = isolate();
    const store = await openStore(isolation.mongoUrl, "store-test");
    try {
      const { messages } = store.mongo.collections;
      const at = new Date();
      // Enough rows that PostgreSQL would rather scan than use an index it does not need.
      await messages.insertMany(
        Array.from({ length: 3000 }, (_, i) => ({
          _id: `msg_${i}`,
          conversationId: `conv_${i >> 1}`,
          userId: "usr_1",
          queryId: `qry_${i >> 1}`,
          role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
          content: "hello",
          tokens: 1,
          order: i % 2,
          createdAt: at,
        })),
      );
      const db = store.mongo.db;
      const explained = async (find: string, filter: Record<string, string>) => {
        const answer = (await db.command({ explain: { find, filter } })) as { queryPlanner: { Plan: PlanNode } };
        return nodesOf(answer.queryPlanner.Plan);
      };

      const byId = await explained(messages.collectionName, { _id: "msg_7" });
      const byConversation = await explained(messages.collectionName, { conversationId: "conv_7" });
      for (const nodes of [byId, byConversation]) {
        expect(nodes.map((n) => n["Node Type"])).not.toContain("Seq Scan");
        expect(nodes.some((n) => n["Index Name"]?.endsWith("_contains"))).toBe(true);
      }
    } finally {
      await store.close();
      await isolation.cleanup();
    }
  });
});
