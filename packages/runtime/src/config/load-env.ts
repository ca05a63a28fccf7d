import type { z } from "zod";
import { type Env, envSchema } from "./env-schema.js";

export class EnvError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid environment: ${issues.join("; ")}`);
    this.name = "EnvError";
  }
}

type Source = Record<string, string | undefined>;

/** Parses the environment once, at an entry point. Throws EnvError naming every bad variable. */
export function loadEnv(source: Source): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((issue) => describe(issue, source)));
}

function describe(issue: z.core.$ZodIssue, source: Source): string {
  const name = String(issue.path[0] ?? "?");
  const raw = source[name];
  // Values may be secrets (tokens, URLs with passwords): name the variable, never echo it.
  const shown = raw === undefined ? "missing" : "set";
  return `${name} (${shown}): ${issue.message}`;
}

/** For entry points: one clear line on stderr and exit code 1 instead of a stack trace. */
export function loadEnvOrExit(source: Source, app: string): Env {
  try {
    return loadEnv(source);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${app}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
