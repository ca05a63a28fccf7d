export { CliError } from "./cli-error.js";
export { configDir, configPath, readConfig, type StoredConfig, writeConfig } from "./config-file.js";
export { main } from "./main.js";
export { buildProgram } from "./program.js";
