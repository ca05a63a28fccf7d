import type { ConversationDoc, ConversationSummary } from "./documents.js";
import { newId } from "./ids.js";
import { insertEach } from "./insert-each.js";
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
        summary: null,
      };
    },

    async insert(doc: ConversationDoc): Promise<void> {
      await c.conversations.insertOne(doc);
    },

    /** New conversations, one command for many; answers per document (see insertEach). */
    insertMany: (docs: readonly ConversationDoc[]) => insertEach(c.conversations, docs),

    /** Scoped by owner: another user's id is indistinguishable from a missing one. */
    async findForUser(id: string, userId: string): Promise<ConversationDoc | null> {
      // By _id alone, owner checked here: FerretDB serves only an _id-only filter from its index.
      const doc = await c.conversations.findOne({ _id: id });
      return doc?.userId === userId ? doc : null;
    },

    findById(id: string): Promise<ConversationDoc | null> {
      return c.conversations.findOne({ _id: id });
    },

    async listForUser(userId: string, limit: number, beforeId: string | null): Promise<ConversationDoc[]> {
      const filter = beforeId ? { userId, _id: { $lt: beforeId } } : { userId };
      return c.conversations.find(filter).sort({ _id: -1 }).limit(limit).toArray();
    },

    async touch(id: string, at: Date): Promise<void> {
      await c.conversations.updateOne({ _id: id }, { $set: { updatedAt: at } });
    },

    /** Stores a summary unless one covering as much or more is already there (jobs may race). */
    async setSummary(id: string, summary: ConversationSummary): Promise<boolean> {
      const result = await c.conversations.updateOne(
        { _id: id, $or: [{ summary: null }, { "summary.throughSeq": { $lt: summary.throughSeq } }] },
        { $set: { summary } },
      );
      return result.modifiedCount === 1;
    },

    async delete(id: string): Promise<void> {
      await c.conversations.deleteOne({ _id: id });
    },
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
