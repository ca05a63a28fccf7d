import { printJson, printTable } from "../output.js";
import { clientFor, type GlobalOptions } from "../settings.js";

export async function listConversations(
  env: NodeJS.ProcessEnv,
  options: GlobalOptions & { limit?: string; cursor?: string },
): Promise<void> {
  const client = await clientFor(env, options);
  const page = await client.conversations.list({
    ...(options.limit ? { limit: Number(options.limit) } : {}),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  if (options.json) return printJson(page);
  if (page.data.length === 0) {
    process.stdout.write("no conversations\n");
    return;
  }
  printTable([
    ["ID", "MODEL", "UPDATED", "TITLE"],
    ...page.data.map((c) => [c.id, c.model, c.updatedAt, c.title ?? ""]),
  ]);
  if (page.nextCursor) process.stdout.write(`more: llm-chat conversations list --cursor ${page.nextCursor}\n`);
}

export async function showConversation(env: NodeJS.ProcessEnv, id: string, options: GlobalOptions): Promise<void> {
  const conversation = await (await clientFor(env, options)).conversations.getWithAllMessages(id);
  if (options.json) return printJson(conversation);
  const out = process.stdout;
  out.write(`${conversation.id}  ${conversation.model}${conversation.title ? `  ${conversation.title}` : ""}\n`);
  if (conversation.system) out.write(`system: ${conversation.system}\n`);
  for (const message of conversation.messages) out.write(`\n${message.role}: ${message.content}\n`);
}

export async function removeConversation(env: NodeJS.ProcessEnv, id: string, options: GlobalOptions): Promise<void> {
  await (await clientFor(env, options)).conversations.delete(id);
  if (options.json) return printJson({ id, deleted: true });
  process.stdout.write(`deleted ${id}\n`);
}
