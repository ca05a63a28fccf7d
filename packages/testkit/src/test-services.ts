import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";

/** Where the tests find Redis and the MongoDB-compatible server; scripts/test.sh starts both. */
export const testRedisUrl = () => process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const testMongoUrl = () => process.env.TEST_MONGO_URL ?? "mongodb://127.0.0.1:27017";

/** A database and queue prefix of its own for each test file, as BullMQ's own tests do. */
export interface Isolation {
  mongoUrl: string;
  dbName: string;
  queuePrefix: string;
  cleanup(): Promise<void>;
}

export function isolate(): Isolation {
  const suffix = randomBytes(5).toString("hex");
  const dbName = `llmchat_test_${suffix}`;
  const queuePrefix = `test-${suffix}`;
  return {
    mongoUrl: `${testMongoUrl()}/${dbName}`,
    dbName,
    queuePrefix,
    async cleanup() {
      const client = new MongoClient(testMongoUrl());
      try {
        await client.connect();
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
      const redis = new Redis(testRedisUrl());
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${queuePrefix}:*`, "COUNT", 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    },
  };
}

export async function withMongo<T>(url: string, run: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    return await run(client);
  } finally {
    await client.close();
  }
}
