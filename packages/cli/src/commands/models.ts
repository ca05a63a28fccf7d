import { printJson, printTable } from "../output.js";
import { clientFor, type GlobalOptions } from "../settings.js";

export async function listModels(env: NodeJS.ProcessEnv, options: GlobalOptions): Promise<void> {
  const models = await (await clientFor(env, options)).models();
  if (options.json) return printJson(models);
  printTable([
    ["ID", "PROVIDER", "MODEL", "CONTEXT"],
    ...models.map((m) => [m.id, m.provider, m.providerModel, String(m.contextWindow)]),
  ]);
}
