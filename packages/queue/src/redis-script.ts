import type { RedisClient } from "./connection.js";

/** A script over one key: KEYS[1] is `key`, ARGV the rest. One key keeps it Redis-Cluster-safe. */
export type RedisScript = (key: string, ...args: (string | number)[]) => Promise<unknown>;

type Command = (...args: (string | number)[]) => Promise<unknown>;

// What each client had defined under each name: a second, different script under one name
// would silently replace the first for every caller (ioredis keeps one per name).
const defined = new WeakMap<RedisClient, Map<string, string>>();

/**
 * Runs `lua` by its SHA (EVALSHA): ioredis sends the body once per connection and again
 * after a restart or SCRIPT FLUSH, instead of EVAL sending and hashing it on every call.
 * `name` becomes a method on the client, so it must belong to this script alone.
 */
export function defineScript(redis: RedisClient, name: string, lua: string): RedisScript {
  const names = defined.get(redis) ?? new Map<string, string>();
  defined.set(redis, names);
  const earlier = names.get(name);
  if (earlier !== undefined && earlier !== lua) throw new Error(`another Redis script is already named ${name}`);
  if (earlier === undefined) {
    redis.defineCommand(name, { numberOfKeys: 1, lua });
    names.set(name, lua);
  }
  // defineCommand adds the method at run time; ioredis's types cannot know of it.
  const command = (redis as unknown as Record<string, Command | undefined>)[name];
  if (!command) throw new Error(`ioredis did not define ${name}`);
  return (key, ...args) => command.call(redis, key, ...args);
}
