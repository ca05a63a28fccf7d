import type { Cluster, Redis } from "ioredis";

type Listener = () => void;

/**
 * Fans the event log's announcements out to the clients of this process. `subscriber`
 * must be a connection of its own: a subscribed Redis connection can do nothing else.
 */
export async function createEventHub(subscriber: Redis | Cluster, channel: string) {
  const listeners = new Map<string, Set<Listener>>();
  subscriber.on("message", (_channel: string, queryId: string) => {
    for (const listener of listeners.get(queryId) ?? []) listener();
  });
  await subscriber.subscribe(channel);

  return {
    /** Calls `listener` whenever events are appended for the query; returns the unsubscribe. */
    listen(queryId: string, listener: Listener): () => void {
      let set = listeners.get(queryId);
      if (!set) {
        set = new Set();
        listeners.set(queryId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(queryId);
      };
    },
    get size() {
      return listeners.size;
    },
  };
}

export type EventHub = Awaited<ReturnType<typeof createEventHub>>;
