import type { DeliveryDoc, WebhookEventDoc } from "./documents.js";
import { newId } from "./ids.js";
import type { Collections } from "./mongo.js";

export function createWebhooksRepo(c: Collections) {
  return {
    /** `id` makes recording idempotent (a second insert is a duplicate-key error). */
    async recordEvent(event: Omit<WebhookEventDoc, "_id" | "createdAt"> & { id?: string }): Promise<WebhookEventDoc> {
      const { id, ...fields } = event;
      const doc: WebhookEventDoc = { _id: id ?? newId("event"), createdAt: new Date(), ...fields };
      await c.webhookEvents.insertOne(doc);
      return doc;
    },

    /** A waiting `output` delivery takes the latest output (coalescing); unknown ids change nothing. */
    async replacePayload(id: string, payload: string): Promise<void> {
      await c.webhookEvents.updateOne({ _id: id }, { $set: { payload } });
    },

    findEvent(id: string): Promise<WebhookEventDoc | null> {
      return c.webhookEvents.findOne({ _id: id });
    },

    async recordDelivery(delivery: Omit<DeliveryDoc, "_id">): Promise<void> {
      await c.deliveries.insertOne({ _id: newId("delivery"), ...delivery });
    },

    listDeliveries(queryId: string, userId: string): Promise<DeliveryDoc[]> {
      return c.deliveries.find({ queryId, userId }).sort({ at: 1 }).limit(1000).toArray();
    },

    async deleteForQueries(queryIds: string[]): Promise<void> {
      await Promise.all([
        c.webhookEvents.deleteMany({ queryId: { $in: queryIds } }),
        c.deliveries.deleteMany({ queryId: { $in: queryIds } }),
      ]);
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
