import type { RedisClient } from "./connection.js";

const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

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

/**
 * Deletes `key` only while it still holds `value`: a marker or lease taken over by someone
 * else since must not be removed by its former holder. Answers 1 when it deleted.
 */
export function defineDeleteIfEquals(redis: RedisClient): (key: string, value: string) => Promise<unknown> {
  const script = defineScript(redis, "llmChatDeleteIfEquals", DELETE_IF_EQUALS);
  return (key, value) => script(key, value);
}
