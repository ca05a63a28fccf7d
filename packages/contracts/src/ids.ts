import { z } from "zod";

/** Resource ids are a type prefix plus a ULID, so they sort by creation time and say what they are. */
export const idPrefix = {
  user: "usr",
  apiKey: "key",
  conversation: "conv",
  query: "qry",
  event: "evt",
  delivery: "dlv",
  session: "ses",
} as const;

export type IdKind = keyof typeof idPrefix;

const ulid = "[0-9A-HJKMNP-TV-Z]{26}";

export const idPattern = (kind: IdKind) => new RegExp(`^${idPrefix[kind]}_${ulid}$`);

export const idSchema = (kind: IdKind) =>
  z.string().regex(idPattern(kind), `expected a ${kind} id (${idPrefix[kind]}_…)`);

export const conversationIdSchema = idSchema("conversation");
export const queryIdSchema = idSchema("query");
export const userIdSchema = idSchema("user");
export const apiKeyIdSchema = idSchema("apiKey");
