/** A real terminal for tests: a detached tmux session running one shell command; type with send-keys, read the screen. */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

export interface TmuxSession {
  /** The tmux session's name (for other tmux commands, e.g. resize-window). */
  name: string;
  screen(): string;
  /** Waits until the screen matches, or throws with what it shows. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(...keys: string[]): void;
  kill(): void;
}

export function tmuxAvailable(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function startTmux(command: string, options: { cwd: string; env: NodeJS.ProcessEnv; width?: number; height?: number }): TmuxSession {
  const name = `fb-${randomBytes(4).toString("hex")}`;
  const env = Object.entries(options.env)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  execFileSync("tmux", ["new-session", "-d", "-s", name, "-x", String(options.width ?? 160), "-y", String(options.height ?? 40), "-c", options.cwd, ...env, command]);
  execFileSync("tmux", ["set-option", "-t", name, "remain-on-exit", "on"]);
  const session: TmuxSession = {
    name,
    screen: () => execFileSync("tmux", ["capture-pane", "-p", "-J", "-t", name, "-S", "-200"], { encoding: "utf8" }),
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = session.screen();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
        await sleep(100);
      }
    },
    type: (...keys) => execFileSync("tmux", ["send-keys", "-t", name, ...keys]),
    kill: () => {
      try {
        execFileSync("tmux", ["kill-session", "-t", name], { stdio: "ignore" });
      } catch {
        // already gone
      }
    },
  };
  return session;
}
