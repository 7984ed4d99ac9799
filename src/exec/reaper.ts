/**
 * Last-chance cleanup when firebreak itself ends: child process groups and microVMs must not outlive it.
 * Handlers run on process exit (synchronously); installSignalExit() turns SIGINT/SIGTERM/SIGHUP into an
 * exit so they run then too (by default Node dies of those signals without an 'exit' event).
 */
const handlers = new Set<() => void>();
let exitHookInstalled = false;

/** Registers a synchronous cleanup; returns the function that unregisters it. */
export function onFirebreakExit(handler: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const h of handlers) {
        try {
          h();
        } catch {
          // best effort: keep cleaning the rest
        }
      }
    });
  }
  handlers.add(handler);
  return () => handlers.delete(handler);
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** For the CLI entry point: a signal ends firebreak through process.exit, so the cleanups run. */
export function installSignalExit(): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT)) {
    process.once(signal as NodeJS.Signals, () => process.exit(code));
  }
}
