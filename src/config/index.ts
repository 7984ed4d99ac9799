export { DEFAULT_CONFIG_TOML } from "./defaults.js";
export { deepMerge, type LoadConfigOptions, type LoadedConfig, loadConfig, PROJECT_CONFIG_FILE, parseSource } from "./load.js";
export { type FirebreakPaths, packageRoot, resolvePaths } from "../paths.js";
export { configSchema, type FirebreakConfig } from "./schema.js";
