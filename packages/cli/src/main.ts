import { CommanderError } from "commander";
import { CliError } from "./cli-error.js";
import { formatError } from "./output.js";
import { buildProgram } from "./program.js";

/** Runs the CLI and resolves with its exit code; every failure becomes one `error: …` line on stderr. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const program = buildProgram(env).exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    // commander has already printed its own message (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${formatError(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
