/**
 * The terminal UI (Ink): finished blocks in `<Static>` (written once, never redrawn or collapsed), the live
 * block of the running command (its last lines), the y/n question, the prompt with suggestions, and the
 * status line. The flow lives in tui/session.ts; this file maps keys and draws.
 */
import { Box, Static, Text, useApp, useInput, useStdout } from "ink";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { applySuggestion, complete } from "./complete.js";
import { EMPTY_EDIT, type EditKey, type EditState, edit, HistoryBrowser } from "./editor.js";
import { poolPanelText, poolStatus } from "./pool.js";
import type { Block, Session } from "./session.js";

/** Suggestion rows under the prompt. */
export const SHOWN_SUGGESTIONS = 5;
/** Rows kept for everything but the live block's output (prompt, suggestions, question, status, margins). */
const RESERVED_ROWS = SHOWN_SUGGESTIONS + 6;

export interface AppProps {
  session: Session;
  color: boolean;
}

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  });
  return size;
}

const STATUS_MARK: Record<Block["status"], string> = { running: "…", asking: "?", ok: "✓", failed: "✗", refused: "⊘", cancelled: "⨯", info: "·" };
const STATUS_COLOR: Partial<Record<Block["status"], string>> = { ok: "green", failed: "red", refused: "red", cancelled: "yellow", running: "cyan", asking: "yellow" };

function BlockView({ block, color, maxOutputLines }: { block: Block; color: boolean; maxOutputLines?: number }) {
  let output = block.output.replace(/\n$/, "");
  if (maxOutputLines !== undefined) {
    const lines = output.split("\n");
    if (lines.length > maxOutputLines) output = [`… ${lines.length - maxOutputLines} lines above`, ...lines.slice(-maxOutputLines)].join("\n");
  }
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold={color} color={color ? STATUS_COLOR[block.status] : undefined}>
        {STATUS_MARK[block.status]} {block.title}
      </Text>
      {block.head ? <Text dimColor={color && block.status !== "info" && block.status !== "failed"}>{block.head}</Text> : null}
      {output ? <Text>{output}</Text> : null}
      {block.foot ? <Text color={color ? STATUS_COLOR[block.status] : undefined}>{block.foot}</Text> : null}
    </Box>
  );
}

function PromptView({ state, busy, color }: { state: EditState; busy: boolean; color: boolean }) {
  const before = state.text.slice(0, state.cursor);
  const at = state.text[state.cursor] ?? " ";
  const after = state.text.slice(state.cursor + 1);
  return (
    <Text wrap="truncate-start">
      <Text color={color ? (busy ? "gray" : "cyan") : undefined}>{busy ? "… " : "› "}</Text>
      {before}
      <Text inverse>{at}</Text>
      {after}
    </Text>
  );
}

/** Maps Ink's key report to an editing key (or undefined: not an editing key). */
function editKey(input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]): EditKey | undefined {
  // Terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`.
  if (key.backspace || key.delete) return { kind: "backspace" };
  if (key.leftArrow) return { kind: key.ctrl || key.meta ? "word-left" : "left" };
  if (key.rightArrow) return { kind: key.ctrl || key.meta ? "word-right" : "right" };
  if (key.home || (key.ctrl && input === "a")) return { kind: "home" };
  if (key.end || (key.ctrl && input === "e")) return { kind: "end" };
  if (key.ctrl && input === "u") return { kind: "kill-line" };
  if (key.ctrl && input === "k") return { kind: "kill-to-end" };
  if (key.ctrl && input === "w") return { kind: "delete-word" };
  if (key.ctrl || key.meta || key.escape || key.tab || key.return || key.upArrow || key.downArrow) return undefined;
  return input ? { kind: "insert", text: input } : undefined;
}

export function App({ session, color }: AppProps) {
  const state = useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.state(),
  );
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [line, setLineState] = useState<EditState>(EMPTY_EDIT);
  const [selected, setSelectedState] = useState(0);
  const [dismissed, setDismissedState] = useState(false);
  // Keys can arrive faster than renders: the handler reads the latest values from refs, not from its closure.
  const latest = useRef({ line, selected, dismissed });
  const setLine = (v: EditState) => {
    latest.current.line = v;
    setLineState(v);
  };
  const setSelected = (v: number) => {
    latest.current.selected = v;
    setSelectedState(v);
  };
  const setDismissed = (v: boolean) => {
    latest.current.dismissed = v;
    setDismissedState(v);
  };
  const history = useRef(new HistoryBrowser(() => session.history.entries())).current;
  const source = session.completionSource();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the source changes with the index, which `state` tracks
  const completion = useMemo(() => complete(line.text, line.cursor, source), [line, state, source.index]);
  const items = dismissed || !line.text ? [] : completion.items;
  const busy = state.live !== undefined;

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  // A line entered while a command runs is typed ahead: it is submitted when that command's block is finished.
  const typedAhead = useRef<string | undefined>(undefined);
  const [aheadShown, setAheadShown] = useState<string | undefined>(undefined);
  const submit = (text: string) => {
    history.reset();
    setText(EMPTY_EDIT);
    if (session.busy) {
      typedAhead.current = text;
      setAheadShown(text);
      return;
    }
    void session.submit(text).then(() => history.reset());
  };
  useEffect(() => {
    if (busy || typedAhead.current === undefined) return;
    const text = typedAhead.current;
    typedAhead.current = undefined;
    setAheadShown(undefined);
    void session.submit(text);
  }, [busy, session]);

  const setText = (next: EditState) => {
    setLine(next);
    setSelected(0);
    setDismissed(false);
    // The parameters of the command being typed are fetched once its name is complete (daemon).
    const first = /^(\S+)\s/.exec(next.text)?.[1];
    if (first && !first.startsWith("/") && !first.startsWith("!")) void session.ensureParameters(first);
  };

  useInput((rawInput, key) => {
    const { line, selected, dismissed } = latest.current;
    const state = session.state();
    // Completion is computed for drawing; the handler recomputes it only for the keys that use it.
    const suggestions = () => {
      const completion = complete(line.text, line.cursor, session.completionSource());
      return { completion, items: dismissed || !line.text ? [] : completion.items };
    };
    // Keys typed fast (or pasted) can arrive as one chunk: "--name Ada\r" is the text, then Enter.
    const enter = /[\r\n]$/.test(rawInput) && rawInput.length > 1;
    const input = enter ? rawInput.replace(/[\r\n]+$/, "") : rawInput;
    if (enter && !state.question) {
      const typed = edit(line, { kind: "insert", text: input });
      if (!typed.text.trim()) return setText(typed);
      return submit(typed.text);
    }
    if (key.ctrl && input === "c") {
      if (session.interrupt(line.text === "") === "cleared") setText(EMPTY_EDIT);
      return;
    }
    if (state.question) {
      if (input === "y" || input === "Y") session.reply(true);
      else if (input === "n" || input === "N" || key.return || key.escape) session.reply(false);
      return;
    }
    if (key.ctrl && input === "d") {
      if (!line.text) session.quit();
      else setText(edit(line, { kind: "delete" }));
      return;
    }
    if (key.tab && !key.shift) {
      const { completion, items } = suggestions();
      const item = items[selected];
      if (item) setText(((r) => ({ text: r.line, cursor: r.cursor }))(applySuggestion(line.text, completion, item)));
      return;
    }
    if ((key.ctrl && input === "n") || (key.tab && key.shift)) {
      const { items } = suggestions();
      if (items.length) setSelected((selected + (key.shift ? items.length - 1 : 1)) % items.length);
      return;
    }
    if (key.ctrl && input === "p") {
      const { items } = suggestions();
      if (items.length) setSelected((selected + items.length - 1) % items.length);
      return;
    }
    if (key.upArrow || key.downArrow) {
      const text = key.upArrow ? history.up(line.text) : history.down();
      if (text !== undefined) {
        setLine({ text, cursor: text.length });
        setDismissed(true);
      }
      return;
    }
    if (key.escape) {
      if (state.panel) session.openPanel(undefined);
      setDismissed(true);
      return;
    }
    if (key.return) {
      if (line.text.trim()) submit(line.text);
      return;
    }
    const k = editKey(input, key);
    if (k) setText(edit(line, k));
  });

  const width = Math.max(20, columns);
  const maxOutputLines = Math.max(3, rows - RESERVED_ROWS - (state.live?.head.split("\n").length ?? 0));
  const status = [`role ${state.role}`, session.backend.mode === "daemon" ? "daemon ✓" : "in-process (no daemon)", poolStatus(state.pool), state.lastDecision ? `last: ${state.lastDecision}` : ""]
    .filter(Boolean)
    .join(" · ");
  return (
    <>
      <Static items={[...state.done]}>{(block) => <BlockView key={block.id} block={block} color={color} />}</Static>
      {state.live ? <BlockView block={state.live} color={color} maxOutputLines={maxOutputLines} /> : null}
      {state.panel === "pool" ? (
        <Box flexDirection="column" marginTop={1} borderStyle="single" width={width}>
          <Text>{poolPanelText(state.pool)}</Text>
          <Text dimColor={color}>(live · Esc closes)</Text>
        </Box>
      ) : null}
      {state.question ? <Text color={color ? "yellow" : undefined}>{state.question}</Text> : null}
      {aheadShown !== undefined ? (
        <Text wrap="truncate-end" dimColor={color}>
          {`next: ${aheadShown}`}
        </Text>
      ) : null}
      <Box marginTop={1} width={width}>
        <PromptView state={line} busy={busy} color={color} />
      </Box>
      {items.slice(0, SHOWN_SUGGESTIONS).map((item, i) => (
        <Box key={`${item.kind}:${item.label}`} width={width}>
          <Text wrap="truncate-end" inverse={i === selected} color={color && i !== selected ? "gray" : undefined}>
            {`  ${item.label}${item.detail ? `  ${item.detail}` : ""}`}
          </Text>
        </Box>
      ))}
      <Box width={width}>
        <Text wrap="truncate-end" dimColor={color}>
          {state.hint ?? status}
        </Text>
      </Box>
    </>
  );
}
