import type { Redis } from "ioredis";

/**
 * The names of the commands `redis` sends while `run` runs (a script's EVALSHA or EVAL is
 * one), for tests that pin how many round trips an operation costs.
 */
export async function commandsSentBy(redis: Redis, run: () => Promise<unknown>): Promise<string[]> {
  // Connected first: the handshake's own commands are not the ones counted, and a command
  // queued while connecting would pass sendCommand twice.
  await redis.ping();
  const sent: string[] = [];
  const original = redis.sendCommand.bind(redis);
  const spy: typeof redis.sendCommand = (command, ...rest) => {
    sent.push(command.name);
    return original(command, ...rest);
  };
  redis.sendCommand = spy;
  try {
    await run();
  } finally {
    redis.sendCommand = original;
  }
  return sent;
}
