import fs from "node:fs";
import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { CommandRegistry, RegistryReport } from "./registry.js";

export const RELOAD_DEBOUNCE_MS = 100;

export interface RegistryWatcher {
  /** Resolves once the watcher has scanned its folders. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Hot reload: re-reads each changed `.md` file (debounced per file) and reports the new state.
 * A file that turns bad keeps serving its last good version (see CommandRegistry).
 */
export function watchRegistry(registry: CommandRegistry, onReload: (report: RegistryReport, file: string) => void): RegistryWatcher {
  const timers = new Map<string, NodeJS.Timeout>();
  const watcher: FSWatcher = watch(registry.dirs(), { ignoreInitial: true, persistent: true });
  const schedule = (file: string) => {
    if (!file.endsWith(".md")) return;
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        onReload(registry.reloadFile(file), file);
      }, RELOAD_DEBOUNCE_MS),
    );
  };
  // A file written right after its new folder was created can land before the folder is watched, and then it
  // never gets its own event (seen under load): a new folder's definitions are read from the folder itself.
  const scanDir = (dir: string) => {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir, { recursive: true }) as string[];
    } catch {
      return; // gone again
    }
    for (const name of names) schedule(path.join(dir, name));
  };
  watcher.on("add", schedule).on("change", schedule).on("unlink", schedule).on("addDir", scanDir);
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return {
    ready,
    close: async () => {
      for (const t of timers.values()) clearTimeout(t);
      await watcher.close();
    },
  };
}
