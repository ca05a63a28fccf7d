import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../../", import.meta.url));

/** Redis and FerretDB of the fault suite's own, on ports no other test uses. */
export const FAULT_REDIS_PORT = 6392;
export const FAULT_MONGO_PORT = 27092;

async function services(command: "start" | "stop", only: "both" | "redis" | "ferretdb" = "both") {
  await run("bash", ["scripts/services.sh", command, only], {
    cwd: root,
    env: { ...process.env, REDIS_PORT: String(FAULT_REDIS_PORT), MONGO_PORT: String(FAULT_MONGO_PORT) },
    timeout: 300_000,
  });
}

export const startRedis = () => services("start", "redis");
export const stopRedis = () => services("stop", "redis");
export const startMongo = () => services("start", "ferretdb");
export const stopMongo = () => services("stop", "ferretdb");

/** vitest globalSetup: the servers live for the whole fault run. */
export async function setup() {
  await services("start");
}

export async function teardown() {
  await services("stop");
}
