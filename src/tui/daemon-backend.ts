/**
 * The UI's backend through a running daemon (`firebreak serve`): plans, runs (NDJSON event stream), policy
 * checks, audit, changes and the VM pool over its socket with the lean client's DaemonClient. What the API
 * does not serve — role names, knowledge-graph terms, where the project's commands live — comes from this
 * process's own configuration, loaded in the background.
 */
import { decodeEvent, type ErrorBody, NDJSON, type PlanBody, type RefusedBody, type WireEvent } from "../api/wire.js";
import type { AuditRecord } from "../audit/types.js";
import type { ChangesetSummary } from "../changes/types.js";
import type { CommandSummary, DefinitionView, RegistryProblems } from "../commands/summary.js";
import type { PolicyAnswer } from "../engine/plan-view.js";
import { RemoteError } from "../errors.js";
import type { DaemonClient } from "../client/daemon-client.js";
import { commandInfo, type Prepared, type RunInput, type TuiBackend } from "./backend.js";
import type { CommandInfo } from "./complete.js";
import type { LocalBackend } from "./local-backend.js";
import { parsePool, type PoolView } from "./pool.js";

const enc = encodeURIComponent;

export class DaemonBackend implements TuiBackend {
  readonly mode = "daemon" as const;
  private readonly described = new Map<string, CommandInfo | undefined>();

  constructor(
    private readonly client: DaemonClient,
    /** This process's own view of the configuration (roles, terms, project dir). */
    private readonly local: LocalBackend,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get cwd(): string {
    return this.local.cwd;
  }

  get stateDir(): string {
    return this.local.stateDir;
  }

  get defaultRole(): string {
    return this.local.defaultRole;
  }

  roles(): readonly string[] {
    return this.local.roles();
  }

  async commands(): Promise<CommandInfo[]> {
    const { commands } = await this.get<{ commands: CommandSummary[] }>(`/v1/commands?cwd=${enc(this.cwd)}`);
    return commands.map((c) => ({ ...c, aliases: c.aliases, parameters: this.described.get(c.name)?.parameters }));
  }

  async describe(name: string): Promise<CommandInfo | undefined> {
    if (this.described.has(name)) return this.described.get(name);
    const { status, body } = await this.client.json<{ definition: DefinitionView } | ErrorBody>("GET", `/v1/commands/${enc(name)}?cwd=${enc(this.cwd)}`);
    const info = status === 200 && "definition" in body ? commandInfo(body.definition) : undefined;
    this.described.set(name, info);
    return info;
  }

  terms(prefix: string, limit: number) {
    return this.local.terms(prefix, limit);
  }

  loadTerms(role: string): Promise<void> {
    return this.local.loadTerms(role);
  }

  async prepare(input: RunInput, role: string): Promise<Prepared> {
    const request = { ...(input.kind === "command" ? { command: input.name, args: input.args } : { line: input.line }), cwd: this.cwd, role };
    const { plan } = await this.post<PlanBody>("/v1/plan", request);
    return {
      plan,
      run: async ({ confirmed, signal, emit }) => {
        const env = Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => typeof e[1] === "string"));
        const res = await this.client.request("POST", "/v1/runs", { ...request, yes: confirmed, env }, { accept: NDJSON, signal });
        if (res.status === 200 && res.contentType.startsWith(NDJSON)) {
          for await (const line of res.lines()) {
            const event = decodeEvent(JSON.parse(line) as WireEvent);
            if (event.type === "error") emit({ type: "error", message: event.error.message });
            else emit(event);
          }
          return;
        }
        const body = JSON.parse(await res.text()) as RefusedBody | ErrorBody;
        if ("error" in body) throw new RemoteError(body.error);
        emit({ type: "refused", ...body.refused, ...(res.status === 409 ? { needs_confirmation: true } : {}) });
      },
    };
  }

  async check(line: string, role: string): Promise<PolicyAnswer> {
    return (await this.post<{ answers: PolicyAnswer[] }>("/v1/policy/check", { line, cwd: this.cwd, role })).answers[0]!;
  }

  async auditTail(n: number): Promise<AuditRecord[]> {
    return (await this.get<{ records: AuditRecord[] }>(`/v1/audit?n=${n}&cwd=${enc(this.cwd)}`)).records;
  }

  async changes(): Promise<ChangesetSummary[]> {
    return (await this.get<{ changes: ChangesetSummary[] }>(`/v1/changes?cwd=${enc(this.cwd)}`)).changes;
  }

  async pool(): Promise<PoolView | undefined> {
    try {
      const { status, body } = await this.client.json<unknown>("GET", "/v1/pool");
      return status === 200 ? parsePool(body) : undefined;
    } catch {
      return undefined; // a daemon without the pool (or gone): the status line shows `pool: -`
    }
  }

  async reload(): Promise<RegistryProblems> {
    this.described.clear(); // the daemon hot-reloads its definitions; forget what was fetched
    return this.problems();
  }

  async problems(): Promise<RegistryProblems> {
    return (await this.get<{ problems: RegistryProblems }>(`/v1/commands?cwd=${enc(this.cwd)}`)).problems;
  }

  projectCommandsDir(): Promise<string> {
    return this.local.projectCommandsDir();
  }

  private async get<T>(path: string): Promise<T> {
    const { status, body } = await this.client.json<T | ErrorBody>("GET", path);
    if (status >= 400 || (body as ErrorBody).error) throw new RemoteError((body as ErrorBody).error);
    return body as T;
  }

  private async post<T>(path: string, payload: unknown): Promise<T> {
    const { status, body } = await this.client.json<T | ErrorBody>("POST", path, payload);
    if (status >= 400 || (body as ErrorBody).error) throw new RemoteError((body as ErrorBody).error);
    return body as T;
  }
}
