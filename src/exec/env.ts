/**
 * Builds a child environment from an allowlist: exact names, or `PREFIX_*` patterns.
 * Anything not listed (tokens, cloud credentials...) never reaches the command.
 *
 * @example
 * filterEnv({ PATH: "/bin", AWS_SECRET_ACCESS_KEY: "x" }, ["PATH"]) // { PATH: "/bin" }
 */
export function filterEnv(env: NodeJS.ProcessEnv, allowlist: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (allowlist.some((pattern) => (pattern.endsWith("*") ? key.startsWith(pattern.slice(0, -1)) : key === pattern))) out[key] = value;
  }
  return out;
}
