import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import envPaths from "env-paths";
import { CliError } from "./cli-error.js";

export interface StoredConfig {
  apiUrl: string;
  apiKey: string;
}

/**
 * The directory holding config.json: LLM_CHAT_CONFIG_DIR when set (tests, several
 * accounts), else the platform's config dir (XDG_CONFIG_HOME/llm-chat on Linux).
 */
export function configDir(env: NodeJS.ProcessEnv): string {
  return env.LLM_CHAT_CONFIG_DIR || envPaths("llm-chat", { suffix: "" }).config;
}

export const configPath = (env: NodeJS.ProcessEnv) => join(configDir(env), "config.json");

export async function readConfig(env: NodeJS.ProcessEnv): Promise<Partial<StoredConfig>> {
  const path = configPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredConfig>;
    return {
      ...(typeof parsed.apiUrl === "string" ? { apiUrl: parsed.apiUrl } : {}),
      ...(typeof parsed.apiKey === "string" ? { apiKey: parsed.apiKey } : {}),
    };
  } catch {
    throw new CliError(`${path} is not valid JSON; run \`llm-chat login\` again`);
  }
}

/** Written owner-only (the key is a secret) and atomically, so a crash never leaves half a file. */
export async function writeConfig(env: NodeJS.ProcessEnv, config: StoredConfig): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = configPath(env);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return path;
}
