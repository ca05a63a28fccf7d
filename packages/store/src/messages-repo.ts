import type { MessageDoc, QueryDoc } from "./documents.js";
import { type Collections, isDuplicateKey } from "./mongo.js";

export const messageId = (queryId: string, role: MessageDoc["role"]) => `msg_${queryId.slice(4)}_${role}`;

export interface Turn {
  seq: number;
  user: string;
  assistant: string;
}

export function createMessagesRepo(c: Collections) {
  return {
    /**
     * Writes the prompt and the answer of one query. The ids are derived from the query id,
     * so a job retried after a crash finds them already there and writes nothing twice.
     * Returns the answer as recorded, which is the first one written if this is a retry.
     */
    async recordExchange(query: QueryDoc, answer: string): Promise<string> {
      const now = new Date();
      const base = { conversationId: query.conversationId, userId: query.userId, queryId: query._id, createdAt: now };
      const docs: MessageDoc[] = [
        { ...base, _id: messageId(query._id, "user"), role: "user", content: query.prompt, order: query.seq * 2 },
        {
          ...base,
          _id: messageId(query._id, "assistant"),
          role: "assistant",
          content: answer,
          order: query.seq * 2 + 1,
        },
      ];
      try {
        await c.messages.insertMany(docs, { ordered: false });
        return answer;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const recorded = await this.findAnswer(query._id);
        if (recorded === null) throw error;
        return recorded;
      }
    },

    async findAnswer(queryId: string): Promise<string | null> {
      const doc = await c.messages.findOne({ _id: messageId(queryId, "assistant") }, { projection: { content: 1 } });
      if (!doc) return null;
      // The user half may be missing if the first attempt died between the two inserts.
      return doc.content;
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
  const bySeq = new Map<number, Partial<Turn>>();
  for (const doc of docs) {
    const seq = Math.floor(doc.order / 2);
    const turn = bySeq.get(seq) ?? { seq };
    turn[doc.role] = doc.content;
    bySeq.set(seq, turn);
  }
  return [...bySeq.values()].filter((t): t is Turn => t.user !== undefined && t.assistant !== undefined);
}

export type MessagesRepo = ReturnType<typeof createMessagesRepo>;
