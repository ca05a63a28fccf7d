/**
 * The node:diagnostics_channel on which the store announces every command it sends (the
 * message is the command's name, e.g. "find"). The store publishes, the metrics package
 * counts; neither depends on the other, and no app has to wire them together.
 */
export const STORE_COMMAND_CHANNEL = "llm-chat:store:command";
