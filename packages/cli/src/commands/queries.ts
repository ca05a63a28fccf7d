import type { Query } from "@llm-chat/client";
import { printJson } from "../output.js";
import { clientFor, type GlobalOptions } from "../settings.js";

function printQuery(query: Query): void {
  const out = process.stdout;
  out.write(`${query.id}  ${query.status}  ${query.model}  conversation ${query.conversationId}\n`);
  out.write(`prompt: ${query.prompt}\n`);
  if (query.output !== null) out.write(`output: ${query.output}\n`);
  if (query.error) out.write(`error: ${query.error.code}: ${query.error.message}\n`);
  if (query.metrics.totalMs !== null) {
    out.write(
      `took ${query.metrics.totalMs} ms (queue ${query.metrics.queueMs ?? "?"} ms, model ${query.metrics.modelMs ?? "?"} ms)\n`,
    );
  }
}

export async function showQuery(env: NodeJS.ProcessEnv, id: string, options: GlobalOptions): Promise<void> {
  const query = await (await clientFor(env, options)).get(id);
  if (options.json) printJson(query);
  else printQuery(query);
}

export async function cancelQuery(env: NodeJS.ProcessEnv, id: string, options: GlobalOptions): Promise<void> {
  const query = await (await clientFor(env, options)).cancel(id);
  if (options.json) printJson(query);
  else process.stdout.write(`${query.id} ${query.status}\n`);
}
