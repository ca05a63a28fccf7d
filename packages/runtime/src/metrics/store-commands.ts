import { subscribe } from "node:diagnostics_channel";
import { STORE_COMMAND_CHANNEL } from "@llm-chat/contracts";
import { Counter, type Registry } from "prom-client";

/**
 * One counter per process, fed by the store's command channel: whichever registry exposes
 * it shows every command this process sent, however many stores or registries it made
 * (tests make several). Registered in no registry here; createMetrics adds it to its own.
 */
const storeCommands = new Counter({
  name: "llmchat_store_commands_total",
  help: "Commands sent to MongoDB (FerretDB) by command name: insert, update, find, aggregate…",
  labelNames: ["command"] as const,
  registers: [],
});

subscribe(STORE_COMMAND_CHANNEL, (message) => {
  if (typeof message === "string") storeCommands.inc({ command: message });
});

export function registerStoreCommands(registry: Registry): void {
  registry.registerMetric(storeCommands);
}
