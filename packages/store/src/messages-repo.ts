import type { MessageDoc, QueryDoc } from "./documents.js";
import { DuplicateKeyError, insertEach } from "./insert-each.js";
import type { Collections } from "./mongo.js";

export const messageId = (queryId: string, role: MessageDoc["role"]) => `msg_${queryId.slice(4)}_${role}`;

export interface Turn {
  seq: number;
  user: string;
  assistant: string;
  userTokens: number;
  assistantTokens: number;
}

export interface Answer {
  content: string;
  tokens: number;
}

export function createMessagesRepo(c: Collections) {
  return {
    /** The prompt and the answer of one query as messages; their ids derive from the query's. */
    exchange(query: QueryDoc, promptTokens: number, answer: Answer, at: Date): MessageDoc[] {
      const base = { conversationId: query.conversationId, userId: query.userId, queryId: query._id, createdAt: at };
      return [
        {
          ...base,
          _id: messageId(query._id, "user"),
          role: "user",
          content: query.prompt,
          tokens: promptTokens,
          order: query.seq * 2,
        },
        {
          ...base,
          _id: messageId(query._id, "assistant"),
          role: "assistant",
          content: answer.content,
          tokens: answer.tokens,
          order: query.seq * 2 + 1,
        },
      ];
    },

    /**
     * Inserts many queries' messages in one command. A message already there (a retry after
     * a crash writes the same decided exchange again) is left as it is.
     */
    async insertExchanges(docs: readonly MessageDoc[]): Promise<void> {
      const answers = await insertEach(c.messages, docs);
      const failed = answers.find((answer) => answer !== null && !(answer instanceof DuplicateKeyError));
      if (failed) throw failed;
    },

    /** Complete turns with seq in [fromSeq, toSeq], oldest first. */
    async turnsBetween(conversationId: string, fromSeq: number, toSeq: number): Promise<Turn[]> {
      const docs = await c.messages
        .find({ conversationId, order: { $gte: fromSeq * 2, $lte: toSeq * 2 + 1 } })
        .sort({ order: 1 })
        .toArray();
      return pairTurns(docs);
    },

    async deleteForQuery(queryId: string): Promise<void> {
      await c.messages.deleteMany({ _id: { $in: [messageId(queryId, "user"), messageId(queryId, "assistant")] } });
    },

    listForConversation(conversationId: string): Promise<MessageDoc[]> {
      return c.messages.find({ conversationId }).sort({ order: 1 }).toArray();
    },

    /** The last `maxTurns` complete exchanges before `beforeSeq`, oldest first. */
    async recentTurns(conversationId: string, beforeSeq: number, maxTurns: number): Promise<Turn[]> {
      const docs = await c.messages
        .find({ conversationId, order: { $lt: beforeSeq * 2 } })
        .sort({ order: -1 })
        .limit(maxTurns * 2)
        .toArray();
      return pairTurns(docs.reverse());
    },

    async deleteForConversation(conversationId: string): Promise<void> {
      await c.messages.deleteMany({ conversationId });
    },
  };
}

function pairTurns(docs: MessageDoc[]): Turn[] {
  const bySeq = new Map<number, { user?: MessageDoc; assistant?: MessageDoc }>();
  for (const doc of docs) {
    const seq = Math.floor(doc.order / 2);
    const pair = bySeq.get(seq) ?? {};
    pair[doc.role] = doc;
    bySeq.set(seq, pair);
  }
  const turns: Turn[] = [];
  for (const [seq, { user, assistant }] of bySeq) {
    if (!user || !assistant) continue;
    turns.push({
      seq,
      user: user.content,
      assistant: assistant.content,
      userTokens: user.tokens,
      assistantTokens: assistant.tokens,
    });
  }
  return turns;
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
