// Imported first by the in-process entry (frequent-main.ts), before any module that builds a schema: zod decides
// JIT or not when a schema is built, not when it parses, so a later z.config() would leave every schema JIT.
// One short process validates the configuration once: zod's JIT (a parser generated and compiled per schema, which
// no code cache can keep) costs more there than its plain path. The daemon keeps the JIT.
//
// Not through z.config(): that would load zod, which a call that validates nothing never needs (lazy.ts). zod takes
// its configuration object from this global when it loads (zod/v4/core/core.js), so copies of zod share it; the
// frequent-program tests check that no schema generates code.
const zodGlobal = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
zodGlobal.__zod_globalConfig = { ...zodGlobal.__zod_globalConfig, jitless: true };
