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

export const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** How long a cancelled command gets to be killed and audited before firebreak exits regardless. */
export const SIGNAL_GRACE_MS = 500;

export interface SignalExitOptions {
  /**
   * Called on the first signal; returns true when it started a graceful stop (e.g. cancelling a running
   * command), false when there is nothing to wait for (then firebreak exits at once). Without it, the first
   * signal exits.
   */
  onSignal?: (signal: NodeJS.Signals) => boolean;
  graceMs?: number;
}

let signalOptions: SignalExitOptions | undefined;
let received: number | undefined;

/**
 * For entry points: a signal ends firebreak through process.exit, so the cleanups run. With `onSignal`,
 * the first signal cancels gracefully and exits after at most the grace period; a second exits at once.
 * Calling it again replaces the options (`firebreak serve` takes over from the CLI's). Returns the exit
 * status the signal means (undefined while none arrived).
 */
export function installSignalExit(options: SignalExitOptions = {}): { exitCode(): number | undefined } {
  if (!signalOptions) {
    for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
      process.on(signal as NodeJS.Signals, () => {
        const current = signalOptions!;
        if (received !== undefined || !current.onSignal) process.exit(received ?? code);
        received = code;
        if (!current.onSignal(signal as NodeJS.Signals)) process.exit(code);
        // Unref'd: if everything finishes first, firebreak ends then; if something keeps it busy, this ends it.
        setTimeout(() => process.exit(code), current.graceMs ?? SIGNAL_GRACE_MS).unref();
      });
    }
  }
  signalOptions = options;
  return { exitCode: () => received };
}
