import { createInterface } from "node:readline";
import { formatError } from "../output.js";
import { clientFor, type GlobalOptions } from "../settings.js";
import { requireSuccess, streamAnswer } from "../stream-answer.js";

export interface ChatOptions extends GlobalOptions {
  model?: string;
  conversation?: string;
  system?: string;
}

/**
 * One conversation, a prompt per line, answers streamed; Ctrl-D or /exit ends it. A failed
 * turn is reported and the chat goes on.
 */
export async function chat(env: NodeJS.ProcessEnv, options: ChatOptions): Promise<void> {
  const client = await clientFor(env, options);
  let conversationId = options.conversation;
  const interactive = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  if (interactive) {
    process.stderr.write(
      `${conversationId ? `chatting in ${conversationId}` : "new conversation"}; /exit or Ctrl-D to leave\n`,
    );
  }
  rl.setPrompt("> ");
  if (interactive) rl.prompt();
  let failed = false;
  for await (const line of rl) {
    const prompt = line.trim();
    if (prompt === "/exit" || prompt === "/quit") break;
    if (prompt) {
      try {
        const { query } = await streamAnswer(
          client,
          {
            prompt,
            ...(conversationId
              ? { conversationId }
              : {
                  ...(options.model ? { model: options.model } : {}),
                  ...(options.system ? { system: options.system } : {}),
                }),
          },
          interactive,
        );
        conversationId = query.conversationId;
        requireSuccess(query);
      } catch (error) {
        failed = true;
        process.stderr.write(`${formatError(error)}\n`);
      }
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  if (conversationId && interactive) process.stderr.write(`(conversation ${conversationId})\n`);
  // Piped input runs like a script: any failed turn makes the whole run fail.
  if (failed && !interactive) process.exitCode = 1;
}
