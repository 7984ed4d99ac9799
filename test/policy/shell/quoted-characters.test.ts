import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { quoteShellWord } from "../../../src/commands/shell-quote.js";
import { createShellAnalyzer, type ShellAnalyzer } from "../../../src/policy/shell/index.js";

let analyzer: ShellAnalyzer;
beforeAll(async () => {
  analyzer = await createShellAnalyzer();
});

const INVISIBLE = ["\u00a0", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad", "\u3000", "\u2028", "\u180e"];
const opaque = (line: string) => analyzer.analyze(line).segments.some((s) => s.opaque);

describe("invisible characters (issue 11, item 9: values are data)", () => {
  it("a quoted value with invisible characters is one word, not unanalysable (property, 200 values)", () => {
    const value = fc
      .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...INVISIBLE), fc.string({ maxLength: 8 }))
      .map(([a, mark, b]) => `${a}${mark}${b}`)
      .filter((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\r]/.test(v));
    fc.assert(
      fc.property(value, (v) => {
        const line = `printf '%s, %s!\\n' hello ${quoteShellWord(v)}`;
        const analysis = analyzer.analyze(line);
        expect(analysis.segments.map((s) => s.opaqueReason ?? "")).toEqual([""]);
        expect(analysis.segments[0]?.argv.at(-1)).toBe(v);
      }),
      { numRuns: 200 },
    );
    expect(opaque('echo "a\u200db"')).toBe(false);
  });

  it("stays unanalysable where an invisible character is not quoted data", () => {
    expect(opaque("echo a\u00a0b")).toBe(true); // looks like two words, is one
    expect(opaque("'rm\u200b' -rf x")).toBe(true); // a quoted command name is still a name
    expect(opaque("r\u200bm -rf x")).toBe(true);
    expect(opaque('echo "$(rm\u200b -rf x)"')).toBe(true); // inside a substitution in double quotes: code
    expect(opaque("sh -c 'rm\u200b -rf x'")).toBe(true); // quoted here, but code for the inner shell
  });
});
