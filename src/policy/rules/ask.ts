/** How an `ask` decision was resolved. */
export type AskResolution =
  | { allowed: true; via: "yes" | "prompt" }
  | { allowed: false; reason: string; cause?: unknown };

export interface ResolveAskOptions {
  /** Whether stdin and stdout are a terminal someone can answer on. */
  isTTY: boolean;
  /** `--yes` was given: confirm without asking. */
  yes: boolean;
  /** Asks the question on the terminal; resolves true for yes. */
  prompt: (question: string) => Promise<boolean>;
  /** The question; default "Run this command?". Include the command and the rules' reasons. */
  question?: string;
}

export const ASK_NOT_INTERACTIVE_REASON = "needs confirmation; rerun with --yes or on a terminal";

/**
 * Resolves an `ask` rule: `--yes` confirms; otherwise a terminal prompt decides; without a
 * terminal it is refused. A prompt that fails counts as "no" (fail closed).
 *
 * @example await resolveAsk({ isTTY: false, yes: false, prompt }) // { allowed: false, reason: "needs confirmation; ..." }
 */
export async function resolveAsk(options: ResolveAskOptions): Promise<AskResolution> {
  if (options.yes) return { allowed: true, via: "yes" };
  if (!options.isTTY) return { allowed: false, reason: ASK_NOT_INTERACTIVE_REASON };
  try {
    const answer = await options.prompt(options.question ?? "Run this command?");
    return answer === true ? { allowed: true, via: "prompt" } : { allowed: false, reason: "declined at the confirmation prompt" };
  } catch (error) {
    return { allowed: false, reason: `confirmation prompt failed: ${String(error)}`, cause: error };
  }
}
