import type { ConversationDoc } from "./documents.js";
import { newId } from "./ids.js";
import type { Collections } from "./mongo.js";

export interface NewConversation {
  userId: string;
  model: string;
  title?: string | undefined;
  system?: string | undefined;
}

export function createConversationsRepo(c: Collections) {
  return {
    build(input: NewConversation): ConversationDoc {
      const now = new Date();
      return {
        _id: newId("conversation"),
        userId: input.userId,
        model: input.model,
        title: input.title ?? null,
        system: input.system ?? null,
        createdAt: now,
        updatedAt: now,
        nextSeq: 0,
      };
    },

    async insert(doc: ConversationDoc): Promise<void> {
      await c.conversations.insertOne(doc);
    },

    /** Scoped by owner: another user's id is indistinguishable from a missing one. */
    findForUser(id: string, userId: string): Promise<ConversationDoc | null> {
      return c.conversations.findOne({ _id: id, userId });
    },

    findById(id: string): Promise<ConversationDoc | null> {
      return c.conversations.findOne({ _id: id });
    },

    async listForUser(userId: string, limit: number, beforeId: string | null): Promise<ConversationDoc[]> {
      const filter = beforeId ? { userId, _id: { $lt: beforeId } } : { userId };
      return c.conversations.find(filter).sort({ _id: -1 }).limit(limit).toArray();
    },

    /** Atomically takes the next sequence number, which fixes the query's place in the conversation. */
    async takeSeq(id: string): Promise<number> {
      const doc = await c.conversations.findOneAndUpdate(
        { _id: id },
        { $inc: { nextSeq: 1 }, $set: { updatedAt: new Date() } },
        // No projection: FerretDB 1.x does not implement it for findAndModify.
        { returnDocument: "before" },
      );
      if (!doc) throw new Error(`conversation ${id} vanished`);
      return doc.nextSeq;
    },

    async delete(id: string): Promise<void> {
      await c.conversations.deleteOne({ _id: id });
    },
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
