import { createRequire } from "node:module";
import { Command, Option } from "commander";
import { ask } from "./commands/ask.js";
import { chat } from "./commands/chat.js";
import { listConversations, removeConversation, showConversation } from "./commands/conversations.js";
import { login } from "./commands/login.js";
import { listModels } from "./commands/models.js";
import { cancelQuery, showQuery } from "./commands/queries.js";
import type { GlobalOptions } from "./settings.js";

// dist/program.js → the package's own package.json, so --version never drifts from it.
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** Every command, wired to its handler; `env` is passed in so nothing below reads process.env. */
export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command("llm-chat")
    .description("Chat with the llm-chat API from your terminal")
    .version(version)
    .addOption(
      new Option("--api-url <url>", "API base URL (else LLM_CHAT_API_URL, the saved login, http://127.0.0.1:3000)"),
    )
    .option("--json", "print machine-readable JSON instead of text")
    .showHelpAfterError("(run with --help for usage)");

  const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();

  program
    .command("login")
    .description("check an API key and save it with the API URL (key from --key, stdin, or a prompt)")
    .option("--key <key>", "the API key (llmc_…); omit to paste it or pipe it in")
    .action((options: { key?: string }, command: Command) => login(env, { ...globals(command), ...options }));

  program
    .command("ask")
    .description("ask one question and print the answer as it streams")
    .argument("[prompt...]", "the question (read from stdin when omitted)")
    .option("-m, --model <id>", "model for a new conversation (see `llm-chat models`)")
    .option("-c, --conversation <id>", "continue this conversation")
    .option("-s, --system <text>", "system prompt for a new conversation")
    .option("--no-stream", "wait for the whole answer instead of streaming it")
    .action((words: string[], _options: unknown, command: Command) =>
      ask(env, words, command.optsWithGlobals<Parameters<typeof ask>[2]>()),
    );

  program
    .command("chat")
    .description("chat interactively in one conversation (/exit or Ctrl-D to leave)")
    .option("-m, --model <id>", "model for a new conversation")
    .option("-c, --conversation <id>", "continue this conversation")
    .option("-s, --system <text>", "system prompt for a new conversation")
    .action((_options: unknown, command: Command) => chat(env, command.optsWithGlobals()));

  const conversations = program
    .command("conversations")
    .alias("conv")
    .description("list, show and delete conversations");
  conversations
    .command("list")
    .alias("ls")
    .description("your conversations, newest first")
    .option("--limit <n>", "how many (1-100)")
    .option("--cursor <cursor>", "continue after a previous page")
    .action((_options: unknown, command: Command) => listConversations(env, command.optsWithGlobals()));
  conversations
    .command("show")
    .argument("<id>", "conversation id (conv_…)")
    .description("a conversation with its messages")
    .action((id: string, _options: unknown, command: Command) => showConversation(env, id, globals(command)));
  conversations
    .command("rm")
    .alias("delete")
    .argument("<id>", "conversation id (conv_…)")
    .description("delete a conversation, its messages and its queries")
    .action((id: string, _options: unknown, command: Command) => removeConversation(env, id, globals(command)));

  const queries = program.command("queries").description("show and cancel queries");
  queries
    .command("show")
    .argument("<id>", "query id (qry_…)")
    .description("a query's status, output, error and timings")
    .action((id: string, _options: unknown, command: Command) => showQuery(env, id, globals(command)));
  queries
    .command("cancel")
    .argument("<id>", "query id (qry_…)")
    .description("cancel a queued or running query")
    .action((id: string, _options: unknown, command: Command) => cancelQuery(env, id, globals(command)));

  program
    .command("models")
    .description("the models the API serves")
    .action((_options: unknown, command: Command) => listModels(env, globals(command)));

  return program;
}
