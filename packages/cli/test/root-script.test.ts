import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

// `pnpm llm-chat …` is how a checkout runs the CLI; this keeps the root script
// pointing at the built binary. Like every test here it needs `pnpm build` first.
describe("pnpm llm-chat from a checkout", () => {
  it("runs the built CLI: --help exits 0 and prints its usage", async () => {
    // execFile rejects on a non-zero exit, so reaching the expectations means exit code 0.
    const { stdout } = await promisify(execFile)("pnpm", ["--silent", "llm-chat", "--help"], {
      cwd: root,
      // Only PATH: no login or LLM_CHAT_* setting of the developer's reaches the CLI.
      env: { PATH: process.env.PATH ?? "" },
      timeout: 15_000,
    });
    expect(stdout).toMatch(/^Usage: llm-chat /m);
    expect(stdout).toContain("ask [options] [prompt...]");
  });
});
