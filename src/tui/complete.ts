/**
 * The prompt's suggestions for the word under the cursor: command names and aliases (fuzzy, with their
 * descriptions), then the command's `--parameters`, allowed values and booleans, slash commands and their
 * sub-commands, role names, and knowledge-graph terms for free text. Pure: the UI and `firebreak completion`
 * both call it; it runs on every keystroke (see bench/tui.ts).
 */
import { fuzzyScore } from "./fuzzy.js";
import { splitWords, type Word } from "./line.js";
import { SLASH_COMMANDS } from "./slash-catalog.js";

export interface ParamInfo {
  name: string;
  type: string;
  description?: string;
  allowed_values?: readonly string[];
  secret: boolean;
  required: boolean;
}

/** A command as completion and the UI need it; `parameters` undefined = not fetched yet (daemon). */
export interface CommandInfo {
  name: string;
  aliases: readonly string[];
  description: string;
  risk_level: string;
  execution_mode: string;
  runnable: boolean;
  parameters?: readonly ParamInfo[];
}

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** What replaces the word. */
  insert: string;
  detail: string;
  kind: "command" | "parameter" | "value" | "slash" | "role" | "term";
}

export interface Completion {
  /** The span of the line the chosen suggestion replaces. */
  from: number;
  to: number;
  items: Suggestion[];
}

/** What completion reads; built once per change of the definitions (see {@link CommandIndex}). */
export interface CompletionSource {
  index: CommandIndex;
  roles: readonly string[];
  /** Knowledge-graph terms for a prefix (the `kg suggest` ranking); absent while the graph loads. */
  terms?: (prefix: string, limit: number) => readonly { term: string; concept: string }[];
}

export const MAX_SUGGESTIONS = 8;
/** Free text gets knowledge-graph terms from this many characters on. */
const MIN_TERM_PREFIX = 2;

/** Commands by name and alias, and the keys to match against. */
export class CommandIndex {
  private readonly byKey = new Map<string, CommandInfo>();
  private readonly keys: { key: string; info: CommandInfo }[] = [];

  constructor(readonly commands: readonly CommandInfo[]) {
    for (const info of commands) {
      for (const key of [info.name, ...info.aliases]) {
        if (this.byKey.has(key)) continue;
        this.byKey.set(key, info);
        this.keys.push({ key, info });
      }
    }
  }

  get(nameOrAlias: string): CommandInfo | undefined {
    return this.byKey.get(nameOrAlias);
  }

  /** Commands matching what was typed, best first, one entry per command (its best name or alias). */
  match(typed: string, limit: number): { info: CommandInfo; key: string; score: number }[] {
    const best = new Map<CommandInfo, { key: string; score: number }>();
    for (const { key, info } of this.keys) {
      const matched = fuzzyScore(typed, key);
      if (matched < 0) continue;
      const score = matched + (key === info.name ? 1 : 0); // ties go to the name
      const seen = best.get(info);
      if (!seen || score > seen.score) best.set(info, { key, score });
    }
    return [...best]
      .map(([info, { key, score }]) => ({ info, key, score }))
      .sort((a, b) => b.score - a.score || a.info.name.localeCompare(b.info.name))
      .slice(0, limit);
  }
}

/**
 * Suggestions for the word at `cursor` (text after the cursor is ignored).
 *
 * @example
 * complete("hel", 3, source).items[0] // { label: "hello-world", insert: "hello-world", kind: "command", ... }
 * complete("hello-world --g", 15, source).items[0].insert // "--greeting"
 */
export function complete(line: string, cursor: number, source: CompletionSource): Completion {
  const before = line.slice(0, cursor);
  const words = splitWords(before);
  const endsInSpace = before.length > 0 && /\s$/.test(before);
  const current: Word = endsInSpace || words.length === 0 ? { value: "", start: cursor, end: cursor } : words.at(-1)!;
  const previous = endsInSpace ? words : words.slice(0, -1);
  const span = { from: current.start, to: cursor };
  const trimmed = before.trimStart();

  if (trimmed.startsWith("!")) return { ...span, items: termItems(current.value.replace(/^!/, ""), source) };
  if (trimmed.startsWith("/")) return { ...span, items: slashItems(previous, current, source) };
  if (previous.length === 0) return { ...span, items: commandItems(current.value, source.index) };
  const info = source.index.get(previous[0]!.value);
  if (!info) return { ...span, items: [] };
  return { ...span, items: argumentItems(info, previous.slice(1).map((w) => w.value), current.value, source) };
}

/** The line after accepting `item` for `completion`, and where the cursor goes. */
export function applySuggestion(line: string, completion: Completion, item: Suggestion): { line: string; cursor: number } {
  const rest = line.slice(completion.to);
  // A value or a name is finished: a space follows so the next word can be typed (not after `--x=`).
  const space = item.insert.endsWith("=") || rest.startsWith(" ") ? "" : " ";
  const text = `${line.slice(0, completion.from)}${item.insert}${space}`;
  return { line: text + rest, cursor: text.length };
}

function commandItems(typed: string, index: CommandIndex): Suggestion[] {
  return index.match(typed, MAX_SUGGESTIONS).map(({ info, key }) => ({
    label: key === info.name ? info.name : `${info.name} (alias ${key})`,
    insert: info.name,
    detail: info.description,
    kind: "command" as const,
  }));
}

function slashItems(previous: Word[], current: Word, source: CompletionSource): Suggestion[] {
  if (previous.length === 0) {
    const typed = current.value.replace(/^\//, "");
    return SLASH_COMMANDS.map((c) => ({ c, score: fuzzyScore(typed, c.name) }))
      .filter((x) => x.score >= 0)
      .sort((a, b) => b.score - a.score)
      .map(({ c }) => ({ label: `/${c.name}${c.args ? ` ${c.args}` : ""}`, insert: `/${c.name}`, detail: c.description, kind: "slash" as const }));
  }
  const name = previous[0]!.value.replace(/^\//, "").toLowerCase();
  const slash = SLASH_COMMANDS.find((c) => c.name === name);
  if (name === "role" && previous.length === 1) {
    return ranked(source.roles, current.value).map((r) => ({ label: r, insert: r, detail: "role", kind: "role" as const }));
  }
  if (name === "plan") {
    // The rest is a command line or a shell line: complete it as the prompt would.
    const inner = previous.slice(1).map((w) => w.value);
    if (inner.length === 0) return [...commandItems(current.value, source.index), ...termItems(current.value, source)].slice(0, MAX_SUGGESTIONS);
    const info = source.index.get(inner[0]!);
    return info ? argumentItems(info, inner.slice(1), current.value, source) : termItems(current.value, source);
  }
  if (slash?.subcommands && previous.length === 1) {
    return slash.subcommands
      .map((s) => ({ ...s, score: fuzzyScore(current.value, s.name) }))
      .filter((s) => s.score >= 0)
      .sort((a, b) => b.score - a.score)
      .map((s) => ({ label: `${s.name}${s.args ? ` ${s.args}` : ""}`, insert: s.name, detail: s.description, kind: "slash" as const }));
  }
  if (name === "commands" && previous[1]?.value === "suggest") return [...commandItems(current.value, source.index), ...termItems(current.value, source)].slice(0, MAX_SUGGESTIONS);
  if (name === "commands" && previous[1]?.value === "search") return termItems(current.value, source);
  return [];
}

function argumentItems(info: CommandInfo, given: string[], typed: string, source: CompletionSource): Suggestion[] {
  const params = info.parameters ?? [];
  const byFlag = new Map(params.map((p) => [`--${p.name.replaceAll("_", "-")}`, p]));
  const last = given.at(-1);
  const awaiting = last !== undefined ? byFlag.get(last) : undefined;
  // After `--name` that takes a value: its allowed values, or terms for free text.
  if (awaiting && awaiting.type !== "boolean") return valueItems(awaiting, typed, source);
  const inline = /^(--[A-Za-z0-9_-]+)=(.*)$/.exec(typed);
  if (inline) {
    const p = byFlag.get(inline[1]!);
    return p ? valueItems(p, inline[2]!, source).map((s) => ({ ...s, insert: `${inline[1]}=${s.insert}` })) : [];
  }
  if (typed.startsWith("-") || typed === "") {
    const used = new Set(given.filter((g) => g.startsWith("--")).map((g) => g.replace(/=.*$/, "").replace(/^--no-/, "--")));
    const items: Suggestion[] = [];
    for (const p of params) {
      const flag = `--${p.name.replaceAll("_", "-")}`;
      if (used.has(flag)) continue;
      const kind = p.type === "boolean" ? "flag" : p.allowed_values ? p.allowed_values.join("|") : p.type;
      const detail = `${kind}${p.required ? ", required" : ""}${p.secret ? ", secret" : ""}${p.description ? ` — ${p.description}` : ""}`;
      if (fuzzyScore(typed.replace(/^-+/, ""), p.name) >= 0) items.push({ label: flag, insert: flag, detail, kind: "parameter" });
      if (p.type === "boolean" && typed.startsWith("--no")) items.push({ label: `--no-${flag.slice(2)}`, insert: `--no-${flag.slice(2)}`, detail: "turn off", kind: "parameter" });
    }
    if (typed) return items.slice(0, MAX_SUGGESTIONS);
    // Nothing typed yet: the next positional parameter's values first, then the options.
    const positional = params.filter((p) => p.type !== "boolean")[given.filter((g) => !g.startsWith("-")).length];
    return [...(positional ? valueItems(positional, "", source) : []), ...items].slice(0, MAX_SUGGESTIONS);
  }
  const positional = params.filter((p) => p.type !== "boolean")[given.filter((g) => !g.startsWith("-")).length];
  return positional ? valueItems(positional, typed, source) : termItems(typed, source);
}

function valueItems(p: ParamInfo, typed: string, source: CompletionSource): Suggestion[] {
  if (p.allowed_values) return ranked(p.allowed_values, typed).map((v) => ({ label: v, insert: v, detail: `${p.name}`, kind: "value" as const }));
  if (p.secret) return []; // never suggest anything that could be a secret
  return termItems(typed, source);
}

function termItems(typed: string, source: CompletionSource): Suggestion[] {
  if (typed.length < MIN_TERM_PREFIX || !source.terms) return [];
  return source.terms(typed, MAX_SUGGESTIONS).map((t) => ({ label: t.term, insert: t.term, detail: `concept ${t.concept}`, kind: "term" as const }));
}

function ranked(values: readonly string[], typed: string): string[] {
  return values
    .map((v) => ({ v, score: fuzzyScore(typed, v) }))
    .filter((x) => x.score >= 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_SUGGESTIONS)
    .map((x) => x.v);
}
