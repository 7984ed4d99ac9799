/** The YAML frontmatter of a markdown file, with the 1-based line where the YAML starts. */
export interface Frontmatter {
  yaml: string;
  /** Line number (1-based) of the first YAML line in the file. */
  firstLine: number;
  body: string;
}

/**
 * Splits `---\n<yaml>\n---\n<body>`. Returns undefined when the file has no frontmatter.
 * An opening fence without a closing one is an error the caller reports.
 */
export function splitFrontmatter(text: string): Frontmatter | undefined | { unterminated: true } {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = src.split(/\r?\n/);
  if ((lines[0] ?? "").trimEnd() !== "---") return undefined;
  for (let i = 1; i < lines.length; i++) {
    const l = (lines[i] ?? "").trimEnd();
    if (l === "---" || l === "...") {
      return { yaml: lines.slice(1, i).join("\n"), firstLine: 2, body: lines.slice(i + 1).join("\n") };
    }
  }
  return { unterminated: true };
}
