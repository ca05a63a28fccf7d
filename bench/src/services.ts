import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { MongoClient } from "mongodb";
import { log, root } from "./util.js";

/**
 * The bench's own Redis and FerretDB (on a PostgreSQL cluster of its own, port 28091), apart
 * from the development (6379/27017) and test ones.
 */
export const REDIS_PORT = 6391;
export const MONGO_PORT = 27091;
export const redisUrl = `redis://127.0.0.1:${REDIS_PORT}`;
export const mongoBase = `mongodb://127.0.0.1:${MONGO_PORT}`;

function services(action: "start" | "stop"): { ok: boolean; output: string } {
  const result = spawnSync("bash", ["scripts/services.sh", action], {
    cwd: root,
    env: { ...process.env, REDIS_PORT: String(REDIS_PORT), MONGO_PORT: String(MONGO_PORT) },
    encoding: "utf8",
    // Starting may install PostgreSQL and build FerretDB the first time (minutes); stopping waits up to 20 s a server.
    timeout: 600_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  for (const line of output.split("\n")) if (line) log(`services: ${line}`);
  return { ok: result.status === 0, output };
}

/**
 * Starts both servers. Returns whether either was already running (someone else's, left
 * alone by services.sh): the figures are then not from a quiet server of the bench's own.
 */
export async function startServices(): Promise<{ shared: boolean }> {
  const { ok, output } = services("start");
  if (!ok) throw new Error("scripts/services.sh start failed (see above)");
  const shared = /already listening/.test(output);
  if (!shared) await dropLeftoverDatabases();
  return { shared };
}

/**
 * A run that was killed leaves its databases behind (each a PostgreSQL schema in the
 * bench's own cluster): they cost disk and make the data-size figures drift. A server the
 * bench started itself holds nothing but bench databases: drop those still there.
 */
async function dropLeftoverDatabases(): Promise<void> {
  const client = new MongoClient(mongoBase, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const { databases } = await client.db("admin").admin().listDatabases({ nameOnly: true });
    const leftovers = databases.map((d) => d.name).filter((name) => name.startsWith("llmchat_bench_"));
    for (const name of leftovers) await client.db(name).dropDatabase();
    if (leftovers.length > 0) log(`services: dropped ${leftovers.length} bench database(s) an earlier run left behind`);
  } finally {
    await client.close();
  }
}

export function stopServices(): void {
  services("stop");
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 1000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Both servers still listening? If not (stopped from outside mid-run), start them again. */
export async function ensureServices(): Promise<boolean> {
  const up = (await listening(REDIS_PORT)) && (await listening(MONGO_PORT));
  if (up) return true;
  log("services: Redis or FerretDB stopped during the run; starting them again");
  await startServices();
  return false;
}
