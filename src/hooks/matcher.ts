/**
 * Hook matchers (`matcher` of an external hook, `commands` of the notification hook): a command name, `*`, or
 * `/regex/flags` tested against the command name. The configuration schema checks their syntax (hooks/config.ts).
 *
 * @example
 * compileMatcher("/^db:/i")("DB:migrate"); // true
 */
/** `/re/flags` tests the command name, anything else must equal it; `*` (or no matcher) matches all. */
export function compileMatcher(matcher: string | undefined): (commandName: string) => boolean {
  if (matcher === undefined || matcher === "*") return () => true;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(matcher);
  if (!m) return (name) => name === matcher;
  const re = new RegExp(m[1] ?? "", (m[2] ?? "").replace(/[gy]/g, ""));
  return (name) => re.test(name);
}
