import type { Message, Page } from "@llm-chat/contracts";
import type { MessageDoc, Store } from "@llm-chat/store";
import { presentMessage } from "../http/present.js";
import { HttpProblem } from "../http/problem.js";

/** Messages the conversation itself carries; the rest come from its /messages pages. */
export const FIRST_MESSAGE_PAGE = 100;

// Opaque to clients: the `order` of the page's last message.
const encode = (order: number) => Buffer.from(`m${order}`, "utf8").toString("base64url");

export function messageCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const match = /^m(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1]) {
    throw new HttpProblem(422, "Validation failed", "invalid query: cursor", [
      { in: "query", pointer: "/cursor", message: "not a cursor returned by this API" },
    ]);
  }
  return Number(match[1]);
}

/** One page of a conversation's messages: one row more is read to tell whether another exists. */
export async function messagePage(
  store: Store,
  conversationId: string,
  after: number | null,
  limit: number,
): Promise<Page<Message>> {
  const docs: MessageDoc[] = await store.messagePages.page(conversationId, after, limit + 1);
  const rows = docs.slice(0, limit);
  const last = rows.at(-1);
  return { data: rows.map(presentMessage), nextCursor: docs.length > limit && last ? encode(last.order) : null };
}
