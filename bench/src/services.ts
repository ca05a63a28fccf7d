import { spawnSync } from "node:child_process";
import { log, root } from "./util.js";

/** The bench's own Redis and FerretDB, apart from the development (6379/27017) and test ones. */
export const REDIS_PORT = 6391;
export const MONGO_PORT = 27091;
export const redisUrl = `redis://127.0.0.1:${REDIS_PORT}`;
export const mongoBase = `mongodb://127.0.0.1:${MONGO_PORT}`;

function services(action: "start" | "stop"): { ok: boolean; output: string } {
  const result = spawnSync("bash", ["scripts/services.sh", action], {
    cwd: root,
    env: { ...process.env, REDIS_PORT: String(REDIS_PORT), MONGO_PORT: String(MONGO_PORT) },
    encoding: "utf8",
    // Starting may build FerretDB the first time (about a minute); stopping waits up to 20 s a server.
    timeout: 240_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  for (const line of output.split("\n")) if (line) log(`services: ${line}`);
  return { ok: result.status === 0, output };
}

/**
 * Starts both servers. Returns whether either was already running (someone else's, left
 * alone by services.sh): the figures are then not from a quiet server of the bench's own.
 */
export function startServices(): { shared: boolean } {
  const { ok, output } = services("start");
  if (!ok) throw new Error("scripts/services.sh start failed (see above)");
  return { shared: /already listening/.test(output) };
}

export function stopServices(): void {
  services("stop");
}
