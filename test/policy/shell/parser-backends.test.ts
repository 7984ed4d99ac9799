/**
 * The native and WebAssembly tree-sitter backends must judge lines alike: the policy judges what the parser says.
 * The corpus: every string literal in the policy tests (the lines the analyzer is tested on), plus a seeded random
 * soup of shell tokens (quotes, substitutions, heredocs, non-ASCII, unbalanced syntax).
 * Where they may differ, and why that is safe:
 * - inside a line that does not parse, error recovery differs between the two runtime versions; any parse error
 *   makes every segment of the line opaque (analyzer.ts), so only whether there is an error must agree;
 * - a non-ASCII name before `=` (`é=1 cat`): the native scanner, like bash, does not take it for a variable
 *   name (bash runs a command named `é=1`: "command not found"); emscripten's libc does. The trees differ, and
 *   so may whether the rest of the line parses.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BashParser, createBashParser, loadBashParser } from "../../../src/policy/shell/syntax-tree.js";

let native: BashParser;
let wasm: BashParser;
beforeAll(async () => {
  native = await createBashParser("native");
  wasm = await createBashParser("wasm");
});

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : []));
}

/** String literals of the policy tests: the shell lines they feed the analyzer, among other strings. */
function literalsOfPolicyTests(): string[] {
  const found = new Set<string>();
  for (const file of testFiles(path.resolve(import.meta.dirname, ".."))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g)) {
      try {
        found.add(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]!.replace(/\\(.)/g, "$1"));
      } catch {
        // an escape JSON does not know: not a line worth the comparison
      }
    }
  }
  return [...found];
}

const TOKENS = ["echo", "rm -rf ~", "'", '"', "$(", ")", "`", "${x", "}", "<<EOF\nbody\nEOF\n", "|", "&&", ";", "\n", "é", "😀", "\\", "$'\\x41'", "(", "{", "if", "then", "fi", "case x in", "esac", "=", "*", "<(", ">", "2>&1", " ", "#c", "\t"];

/** A non-ASCII character right before `=`: the one place the two scanners classify differently (see above). */
const NON_ASCII_NAME = /[^\x00-\x7f]=/;

function soup(seed: number, count: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + (next() % 12) }, () => TOKENS[next() % TOKENS.length]).join(""));
}

describe("tree-sitter backends", () => {
  it("the native binding loads here (installed with a toolchain by scripts/ensure-deps.sh), and is what a process uses by default", async () => {
    expect(native.backend).toBe("native");
    expect(wasm.backend).toBe("wasm");
    expect((await loadBashParser({})).backend).toBe("native");
  });

  it("give the same tree and errors for every line the policy tests use", () => {
    const lines = literalsOfPolicyTests();
    expect(lines.length).toBeGreaterThan(500);
    for (const line of lines) if (!NON_ASCII_NAME.test(line)) expect(native.parse(line), line).toEqual(wasm.parse(line));
  });

  it("agree on random token soup: whether a line parses, and its tree when it does (ASCII names)", () => {
    const lines = soup(20261201, 3000);
    let withErrors = 0;
    let compared = 0;
    for (const line of lines) {
      if (NON_ASCII_NAME.test(line)) continue;
      const n = native.parse(line);
      const w = wasm.parse(line);
      expect(n.errors.length > 0, line).toBe(w.errors.length > 0);
      if (n.errors.length > 0) withErrors++;
      else {
        compared++;
        expect(n, line).toEqual(w);
      }
    }
    expect(withErrors).toBeGreaterThan(100); // the soup exercises error recovery, not only valid lines
    expect(compared).toBeGreaterThan(500);
  });

  it("native reads a non-ASCII name before = as bash does: a command word, not an assignment", () => {
    const [command] = native.parse("é=1 cat").root.children;
    expect(command!.children.map((c) => c.type)).toEqual(["command_name", "word"]);
  });

  it("agree on a long line (200 KB) and report JS string indices for non-ASCII text", () => {
    const long = `echo ${"é😀x ".repeat(50_000)}; rm -rf ~`;
    const n = native.parse(long);
    expect(n).toEqual(wasm.parse(long));
    const last = n.root.children.at(-1)!;
    expect(long.slice(last.start, last.end)).toBe("rm -rf ~");
  });
});
