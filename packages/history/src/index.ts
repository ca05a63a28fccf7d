export { createHotHistory, type HotHistory, type HotHistoryConfig } from "./hot-history.js";
