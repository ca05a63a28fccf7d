import type { SubmitQueryInput } from "@llm-chat/client";
import { CliError } from "../cli-error.js";
import { printJson } from "../output.js";
import { clientFor, type GlobalOptions } from "../settings.js";
import { requireSuccess, streamAnswer } from "../stream-answer.js";

export interface AskOptions extends GlobalOptions {
  model?: string;
  conversation?: string;
  system?: string;
  /** commander's `--no-stream` sets this false. */
  stream: boolean;
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

export async function ask(env: NodeJS.ProcessEnv, words: string[], options: AskOptions): Promise<void> {
  // No prompt words and piped input: the prompt is stdin (`git diff | llm-chat ask`).
  const prompt = words.length > 0 ? words.join(" ") : process.stdin.isTTY ? "" : await readStdin();
  if (!prompt.trim()) throw new CliError('nothing to ask: llm-chat ask "your question"');
  const client = await clientFor(env, options);
  const body: SubmitQueryInput = {
    prompt,
    ...(options.conversation ? { conversationId: options.conversation } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.system ? { system: options.system } : {}),
  };

  if (options.json || !options.stream) {
    const query = await client.submitAndWait(body);
    if (options.json) {
      printJson(query);
      if (query.status !== "succeeded") process.exitCode = 1;
      return;
    }
    process.stdout.write(`${requireSuccess(query).output ?? ""}\n`);
    return;
  }

  const { query } = await streamAnswer(client, body, true);
  requireSuccess(query);
  // Where to continue, for people at a terminal; stdout stays the answer alone.
  if (process.stderr.isTTY) process.stderr.write(`(conversation ${query.conversationId})\n`);
}
