import { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import { type CatalogSettings, type JobName, type JobPayload, jobCatalog } from "./job-catalog.js";

export interface Producer {
  /** Validates the payload against the catalog and adds it; `jobId` makes a second add a no-op. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, jobId: string): Promise<void>;
  /** `enqueue` for many jobs in one round trip (BullMQ's addBulk). */
  enqueueMany<N extends JobName>(
    name: N,
    jobs: ReadonlyArray<{ payload: JobPayload<N>; jobId: string }>,
  ): Promise<void>;
  queue(name: JobName): Queue;
  close(): Promise<void>;
}

export function createProducer(connection: Redis | Cluster, prefix: string, settings: CatalogSettings): Producer {
  const queues = new Map<JobName, Queue>();
  const queueFor = (name: JobName): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(jobCatalog[name].queue, { connection, prefix });
      queues.set(name, queue);
    }
    return queue;
  };

  return {
    async enqueue(name, payload, jobId) {
      const entry = jobCatalog[name];
      const data = entry.schema.parse(payload);
      await queueFor(name).add(name, data, { ...entry.options(settings), jobId });
    },
    async enqueueMany(name, jobs) {
      if (jobs.length === 0) return;
      const entry = jobCatalog[name];
      const opts = entry.options(settings);
      await queueFor(name).addBulk(
        jobs.map(({ payload, jobId }) => ({ name, data: entry.schema.parse(payload), opts: { ...opts, jobId } })),
      );
    },
    queue: queueFor,
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

/** Job counts of every queue by state, for metrics and operators. */
export async function readQueueCounts(producer: Producer): Promise<Record<string, Record<string, number>>> {
  const names = ["query", "webhook", "summary"] as const;
  const counts = await Promise.all(
    names.map((name) => producer.queue(name).getJobCounts("waiting", "active", "delayed", "failed")),
  );
  return Object.fromEntries(names.map((name, i) => [name, counts[i] ?? {}]));
}
