import { createInterface } from "node:readline/promises";
import { LlmChatClient } from "@llm-chat/client";
import { CliError } from "../cli-error.js";
import { writeConfig } from "../config-file.js";
import { printJson } from "../output.js";
import { type GlobalOptions, resolveApiUrl } from "../settings.js";

/** The key from the terminal (asked for) or from a pipe (`echo $KEY | llm-chat login`). */
async function readKey(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await rl.question("API key: ")).trim();
    } finally {
      rl.close();
    }
  }
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}

/** Checks the key against the API before saving it, so a typo fails here and not later. */
export async function login(env: NodeJS.ProcessEnv, options: GlobalOptions & { key?: string }): Promise<void> {
  const apiUrl = await resolveApiUrl(env, options);
  const apiKey = options.key || env.LLM_CHAT_API_KEY || (await readKey());
  if (!apiKey) throw new CliError("no API key given: pass --key, pipe it on stdin or set LLM_CHAT_API_KEY");
  await new LlmChatClient({ baseUrl: apiUrl, apiKey }).apiKeys.list();
  const path = await writeConfig(env, { apiUrl, apiKey });
  if (options.json) printJson({ apiUrl, configFile: path });
  else process.stdout.write(`logged in to ${apiUrl} (saved in ${path})\n`);
}
