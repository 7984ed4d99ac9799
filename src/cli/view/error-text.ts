import { type Output, paint } from "../output.js";

/** An error as the CLI shows it, whether it was thrown here or came back from the daemon. */
export interface ErrorView {
  code: string;
  message: string;
  reasons?: string[];
  usage?: string;
}

/** `firebreak: <message>`, each reason on its own line, the usage, and a note for configuration errors. */
export function errorText(o: Output, error: ErrorView): string {
  const lines = [`${paint(o, "red", "firebreak")}: ${error.message}`];
  for (const r of error.reasons ?? []) lines.push(`  - ${r}`);
  if (error.usage) lines.push(`usage: ${error.usage}`);
  if (error.code === "config" || error.code === "definition") lines.push("(configuration error)");
  return lines.join("\n");
}
