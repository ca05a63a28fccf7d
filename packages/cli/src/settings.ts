import { LlmChatClient } from "@llm-chat/client";
import { CliError } from "./cli-error.js";
import { readConfig } from "./config-file.js";

export const DEFAULT_API_URL = "http://127.0.0.1:3000";

export interface GlobalOptions {
  apiUrl?: string;
  json?: boolean;
}

/** Where the API is: --api-url, then LLM_CHAT_API_URL, then the saved login, then the local default. */
export async function resolveApiUrl(env: NodeJS.ProcessEnv, options: GlobalOptions): Promise<string> {
  return options.apiUrl || env.LLM_CHAT_API_URL || (await readConfig(env)).apiUrl || DEFAULT_API_URL;
}

/** A client for the resolved API with the key from LLM_CHAT_API_KEY or the saved login. */
export async function clientFor(env: NodeJS.ProcessEnv, options: GlobalOptions): Promise<LlmChatClient> {
  const apiKey = env.LLM_CHAT_API_KEY || (await readConfig(env)).apiKey;
  if (!apiKey) throw new CliError("not logged in: run `llm-chat login` or set LLM_CHAT_API_KEY");
  return new LlmChatClient({ baseUrl: await resolveApiUrl(env, options), apiKey });
}
