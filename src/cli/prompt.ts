/**
 * Asks a yes/no question on the terminal (on stderr, so stdout stays the command's), default no. node:readline is
 * loaded here, not at start: most calls of the lean client never ask.
 */
export async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The part of a run result the change prompt needs (the daemon client has no engine types at run time). */
interface PendingChanges {
  id: string;
  mode: "ask" | "auto" | "never";
  pending: number;
}

/**
 * After a microVM run whose changes wait (`apply_changes = "ask"`): on a terminal, asks and applies through `apply`;
 * otherwise returns the one line that says how to apply them. Returns what to print on stderr.
 */
export async function settleRunChanges<C extends PendingChanges>(
  changes: C | null | undefined,
  io: { isTTY: boolean; json: boolean; question: (c: C) => string; storedLine: (c: C) => string; apply: (id: string) => Promise<string> },
): Promise<string | undefined> {
  if (changes?.mode !== "ask" || changes.pending === 0 || io.json) return undefined;
  if (!io.isTTY) return io.storedLine(changes);
  if (!(await askYesNo(io.question(changes)))) return io.storedLine(changes);
  return io.apply(changes.id);
}
