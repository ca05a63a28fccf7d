import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../../packages/cli/dist/bin/llm-chat.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as it arrived, chunk by chunk, with the time each came: shows streaming. */
  chunks: { at: number; text: string }[];
}

/**
 * Runs the built `llm-chat` binary to completion, as a user's shell would (stdout and
 * stderr are pipes, not a terminal). Only the given env reaches it, so the developer's own
 * login and variables never leak in.
 */
export async function runCli(
  args: string[],
  options: { env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  const chunks: CliResult["chunks"] = [];
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => chunks.push({ at: Date.now(), text: chunk.toString("utf8") }));
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  // A bound, not a pause: a CLI that never exits is killed so the test fails instead of hanging.
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const [code] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  return { code, stdout: chunks.map((c) => c.text).join(""), stderr, chunks };
}
