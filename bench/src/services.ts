import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
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
export async function startServices(): Promise<{ shared: boolean }> {
  if (!(await listening(MONGO_PORT))) removeLeftoverDatabases();
  const { ok, output } = services("start");
  if (!ok) throw new Error("scripts/services.sh start failed (see above)");
  return { shared: /already listening/.test(output) };
}

/**
 * A bench database written to after its drop (a process still finishing) can be left as a
 * bare SQLite file without FerretDB's metadata, and FerretDB then refuses to start. With
 * the server down, the bench's own data directory holds nothing but bench databases: clear them.
 */
function removeLeftoverDatabases(): void {
  const dir = `${root}.data/ferretdb-${MONGO_PORT}`;
  let removed = 0;
  try {
    for (const name of readdirSync(dir)) {
      if (!/^llmchat_bench_\w+\.sqlite(-wal|-shm)?$/.test(name)) continue;
      rmSync(`${dir}/${name}`);
      removed++;
    }
  } catch {
    // no data directory yet
  }
  if (removed > 0) log(`services: removed ${removed} file(s) of bench databases an earlier run left behind`);
}

export function stopServices(): void {
  services("stop");
  removeOrphanedWal();
}

/**
 * FerretDB's dropDatabase deletes a database's .sqlite file but leaves its -wal and -shm
 * files behind (tens of MB per scenario). With the server stopped, remove those of the
 * bench's own databases whose .sqlite is gone.
 */
function removeOrphanedWal(): void {
  const dir = `${root}.data/ferretdb-${MONGO_PORT}`;
  let freed = 0;
  try {
    for (const name of readdirSync(dir)) {
      const match = name.match(/^(llmchat_bench_\w+\.sqlite)-(wal|shm)$/);
      if (!match || existsSync(`${dir}/${match[1]}`)) continue;
      rmSync(`${dir}/${name}`);
      freed++;
    }
  } catch {
    // no data directory: nothing to tidy
  }
  if (freed > 0) log(`services: removed ${freed} WAL/SHM file(s) FerretDB left behind for dropped bench databases`);
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
