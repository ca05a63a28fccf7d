// Re-exported so the worker can keep importing it from here; the definition is the contracts'.
export { type FinalStatus, isFinal } from "@llm-chat/contracts";
export { type Accepting, createAccept } from "./accept.js";
export { type ConversationOrder, createConversationOrder, type IsOpen } from "./conversation-order.js";
export { type GroupCommitOptions, groupCommit } from "./group-commit.js";
export { createHotHistory, type HotHistory, type HotHistoryConfig } from "./hot-history.js";
export {
  type Begin,
  type Cancel,
  createQueryLifecycle,
  type Finish,
  type LifecycleDeps,
  type QueryLifecycle,
} from "./lifecycle.js";
export {
  createLiveQueries,
  type LiveQueries,
  type LiveQueriesConfig,
  type LiveQuery,
  liveQueryTtls,
  type Outcome,
} from "./live-queries.js";
export { createQueryLedger, type LedgerPlace, type QueryLedger, type QueryLedgerConfig } from "./query-ledger.js";
export { canMove, sourcesOf } from "./states.js";
export { cancelChannelOf, type LifecycleParts, wireQueryLifecycle } from "./wire.js";
