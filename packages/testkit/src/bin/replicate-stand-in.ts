#!/usr/bin/env node
/**
 * Runs the Replicate stand-in until SIGTERM/SIGINT, for local runs without a
 * Replicate account. Point the worker at the printed URL.
 *
 *   STAND_IN_PORT (5055)  STAND_IN_HOST (127.0.0.1)  STAND_IN_LATENCY_MS (300)
 *   or the flags --port, --host, --latency-ms, which win over the env.
 */
import { parseArgs } from "node:util";
import { startReplicateStandIn } from "../replicate/stand-in.js";

function numberSetting(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be an integer between 0 and ${max}, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "latency-ms": { type: "string" },
    },
  });
  const { env } = process;
  const port = numberSetting("port", values.port ?? env.STAND_IN_PORT, 5055, 65_535);
  const latencyMs = numberSetting("latency", values["latency-ms"] ?? env.STAND_IN_LATENCY_MS, 300, 3_600_000);
  const host = values.host ?? (env.STAND_IN_HOST || "127.0.0.1");

  const standIn = await startReplicateStandIn({ host, port, latencyMs });
  process.stdout.write(`replicate stand-in listening on ${standIn.url}\n`);

  // `once`: a second signal during shutdown falls back to Node's default
  // and kills the process, the usual escape hatch for a stuck close.
  const stop = (): void => {
    standIn.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`replicate stand-in: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`replicate stand-in: ${message}\n`);
  process.exit(1);
});
