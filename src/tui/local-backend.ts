/** The UI's backend in this process: the engine itself (`invoke`'s parts, the same audit and event stream). */
import path from "node:path";
import { registryProblems } from "../commands/summary.js";
import { changesService } from "../engine/changes.js";
import type { EngineContext } from "../engine/context.js";
import { announcePlan } from "../engine/invoke.js";
import { planInvocation, resolveCommand } from "../engine/plan.js";
import { checkLines } from "../engine/policy-check.js";
import { planView } from "../engine/plan-view.js";
import { executePlan } from "../engine/run.js";
import { AuditDisabledError } from "../errors.js";
import { type Autocomplete, createAutocomplete } from "../knowledge/index.js";
import { commandInfo, type Prepared, type RunInput, type TuiBackend } from "./backend.js";
import type { CommandInfo } from "./complete.js";
import type { PoolView } from "./pool.js";

/** Knowledge-graph terms for the UI: the role's graph, loaded once per role. */
export class TermSource {
  private current?: Autocomplete;
  private readonly loaded = new Map<string, Promise<Autocomplete>>();

  constructor(private readonly context: () => Promise<EngineContext>) {}

  terms(prefix: string, limit: number): readonly { term: string; concept: string }[] {
    return this.current?.suggest(prefix, { limit }) ?? [];
  }

  async load(role: string): Promise<void> {
    let graph = this.loaded.get(role);
    if (!graph) {
      graph = this.context().then(async (ctx) => createAutocomplete((await ctx.knowledge(role)).thesaurus));
      this.loaded.set(role, graph);
    }
    this.current = await graph;
  }
}

/**
 * @example
 * const backend = new LocalBackend(await createFirebreak({ cwd }), env);
 * const prepared = await backend.prepare({ kind: "command", name: "hello-world", args: [] }, "developer");
 */
export class LocalBackend implements TuiBackend {
  readonly mode = "in-process" as const;
  readonly cwd: string;
  readonly stateDir: string;
  readonly defaultRole: string;
  private readonly termSource: TermSource;

  constructor(
    private readonly ctx: EngineContext,
    private readonly env: NodeJS.ProcessEnv,
    cwd: string,
  ) {
    this.cwd = cwd;
    this.stateDir = ctx.stateDir;
    this.defaultRole = ctx.config.default_role;
    this.termSource = new TermSource(async () => ctx);
  }

  roles(): readonly string[] {
    return Object.keys(this.ctx.config.roles);
  }

  async commands(): Promise<CommandInfo[]> {
    return this.ctx.registry.list().map(commandInfo);
  }

  async describe(name: string): Promise<CommandInfo | undefined> {
    try {
      const def = this.ctx.registry.resolve(name);
      return def && commandInfo(def);
    } catch {
      return undefined; // defined by a file that cannot be used: running it says why
    }
  }

  terms(prefix: string, limit: number) {
    return this.termSource.terms(prefix, limit);
  }

  loadTerms(role: string): Promise<void> {
    return this.termSource.load(role);
  }

  async prepare(input: RunInput, role: string): Promise<Prepared> {
    const { ctx } = this;
    // resolveCommand says "did you mean" for an unknown name, and why a file that would define it failed to load.
    const invocation = input.kind === "command" ? { ...input, definition: resolveCommand(ctx, input.name) } : input;
    const plan = await planInvocation(ctx, invocation, { cwd: this.cwd, role, isTTY: true, env: this.env });
    return {
      plan: planView(plan),
      run: async ({ confirmed, signal, emit }) => {
        // The UI has asked already: an `ask` rule is answered by that y/n (a "no" is audited as declined).
        plan.options.isTTY = true;
        announcePlan(ctx, plan, emit);
        await executePlan(ctx, plan, { emit, signal, prompt: async () => confirmed });
      },
    };
  }

  async check(line: string, role: string) {
    const [answer] = await checkLines(this.ctx, [line], { cwd: this.cwd, role });
    return answer!;
  }

  async auditTail(n: number) {
    if (!this.ctx.audit) throw new AuditDisabledError();
    return this.ctx.audit.tail(n);
  }

  async changes() {
    return changesService(this.ctx).list();
  }

  async pool(): Promise<PoolView | undefined> {
    return undefined; // the pool lives in `firebreak serve`
  }

  async reload() {
    return registryProblems(this.ctx.registry.loadAll());
  }

  async problems() {
    return registryProblems(this.ctx.registry.current);
  }

  async projectCommandsDir() {
    return path.resolve(this.ctx.loaded.projectRoot, this.ctx.config.commands.project_dir);
  }
}
