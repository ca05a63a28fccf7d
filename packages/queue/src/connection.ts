import { Cluster, Redis, type RedisOptions } from "ioredis";

export type RedisRole = "producer" | "worker" | "client";
export type RedisClient = Redis | Cluster;

export class RedisUrlError extends Error {}

interface ParsedRedisUrl {
  kind: "single" | "sentinel" | "cluster";
  hosts: { host: string; port: number }[];
  /** Sentinel: the master's name. */
  name: string | undefined;
  username: string | undefined;
  password: string | undefined;
  db: number | undefined;
  tls: boolean;
}

/**
 * Three forms, one variable:
 *   redis://[user:pass@]host:6379[/db]  (rediss:// for TLS)  — one server
 *   redis-sentinel://[user:pass@]h1:26379,h2:26379/<master>[?db=N&tls=true] — Sentinel
 *   redis-cluster://[user:pass@]h1:6379,h2:6379[?tls=true] — Cluster (QUEUE_PREFIX must be {hash-tagged})
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  const match = url.match(
    /^(redis|rediss|redis-sentinel|redis-cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/,
  );
  if (!match) throw new RedisUrlError("REDIS_URL must be redis://, rediss://, redis-sentinel:// or redis-cluster://");
  const [, scheme = "", user, pass, hostList = "", path = "", query = ""] = match;
  const params = new URLSearchParams(query);
  const hosts = hostList.split(",").map((entry) => {
    const [host = "", port] = entry.split(":");
    const defaultPort = scheme === "redis-sentinel" ? 26379 : 6379;
    if (!host) throw new RedisUrlError("REDIS_URL has an empty host");
    return { host, port: port ? Number(port) : defaultPort };
  });
  const kind = scheme === "redis-sentinel" ? "sentinel" : scheme === "redis-cluster" ? "cluster" : "single";
  const dbText = kind === "sentinel" ? params.get("db") : path || null;
  const name = kind === "sentinel" ? decodeURIComponent(path) : undefined;
  if (kind === "sentinel" && !name)
    throw new RedisUrlError("REDIS_URL redis-sentinel:// needs the master name as its path");
  return {
    kind,
    hosts,
    name,
    username: user ? decodeURIComponent(user) : undefined,
    password: pass ? decodeURIComponent(pass) : undefined,
    db: dbText ? Number(dbText) : undefined,
    tls: scheme === "rediss" || params.get("tls") === "true",
  };
}

/**
 * Workers block on Redis and must wait out outages (maxRetriesPerRequest: null, as BullMQ
 * requires). The API must not: with the offline queue off, a call fails at once while
 * Redis is down, and the request answers 503 instead of hanging.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const base: RedisOptions =
    role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const parsed = parseRedisUrl(url);
  const options: RedisOptions = {
    ...base,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 3000),
    ...(parsed.username ? { username: parsed.username } : {}),
    ...(parsed.password ? { password: parsed.password } : {}),
    ...(parsed.db !== undefined ? { db: parsed.db } : {}),
    ...(parsed.tls ? { tls: {} } : {}),
    ...extra,
  };
  if (parsed.kind === "cluster") {
    const { maxRetriesPerRequest, enableOfflineQueue, ...redisOptions } = options;
    return new Cluster(parsed.hosts, {
      redisOptions: { ...redisOptions, maxRetriesPerRequest },
      ...(enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
    });
  }
  if (parsed.kind === "sentinel") {
    return new Redis({ ...options, sentinels: parsed.hosts, name: parsed.name });
  }
  const [first] = parsed.hosts;
  return new Redis({ ...options, host: first?.host ?? "127.0.0.1", port: first?.port ?? 6379 });
}

/** BullMQ on Redis Cluster needs each queue's keys in one slot: a prefix like {llm-chat}. */
export function assertPrefixFitsRedis(url: string, prefix: string): void {
  if (parseRedisUrl(url).kind === "cluster" && !/^\{[^}]+\}/.test(prefix)) {
    throw new RedisUrlError(`QUEUE_PREFIX must be hash-tagged on Redis Cluster, e.g. {${prefix}}`);
  }
}
