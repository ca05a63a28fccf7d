export * from "./auth.js";
export * from "./conversations.js";
export * from "./diagnostics.js";
export * from "./ids.js";
export * from "./jobs.js";
export * from "./models.js";
export * from "./pagination.js";
export type { Problem } from "./problem.js";
export * from "./queries.js";
