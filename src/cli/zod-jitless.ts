// Imported first by the in-process entry (frequent-main.ts), before any module that builds a schema: zod decides
// JIT or not when a schema is built, not when it parses, so a later z.config() would leave every schema JIT.
// One short process validates the configuration once: zod's JIT (a parser generated and compiled per schema, which
// no code cache can keep) costs more there than its plain path. The daemon keeps the JIT.
import { z } from "zod";

z.config({ jitless: true });
