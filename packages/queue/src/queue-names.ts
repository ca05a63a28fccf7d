/**
 * Queue names are part of the data in Redis: renaming one strands every job
 * already waiting under the old name. Add new names; never rename these.
 */
export const QueueName = {
  query: "query",
  webhook: "webhook",
  summary: "summary",
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
