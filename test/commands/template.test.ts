import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteShellWord } from "../../src/commands/shell-quote.js";
import { compileTemplate, renderTemplate } from "../../src/commands/template.js";
import { TemplateError } from "../../src/errors.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs a script with /bin/sh in dir; prints each argv element NUL-terminated via printf. */
function runSh(script: string, cwd: string): { args: string[]; status: number | null } {
  const r = spawnSync("/bin/sh", ["-c", script], { cwd, encoding: "buffer" });
  const out = r.stdout.toString("utf8");
  return { args: out === "" ? [] : out.slice(0, -1).split("\0"), status: r.status };
}

const HOSTILE = [
  "it's",
  "'",
  "''",
  '"',
  "$(touch pwned)",
  "`touch pwned`",
  "${IFS}",
  "$HOME",
  "a\nb; touch pwned",
  "; touch pwned",
  "&& touch pwned",
  "| touch pwned",
  "*",
  "?",
  "[a-z]*",
  "~",
  "~root",
  "-rf",
  "--help",
  "{a,b}",
  "a b  c",
  "\t",
  " ",
  "",
  "\\",
  "\\'",
  "héllo wörld 🚀",
  "\u202e\u0000".slice(0, 1), // right-to-left override
  "$'\\x41'",
  "!!",
  "#comment",
  "a=b",
  "<(touch pwned)",
  "> pwned",
  "%s%n",
];

describe("template rendering", () => {
  it("delivers every hostile value as exactly one literal argument, and nothing else runs", () => {
    const dir = tempDir();
    const t = compileTemplate("printf '%s\\0' {{a}} {{b}}");
    for (const value of HOSTILE) {
      const script = renderTemplate(t, { a: value, b: "end" });
      const { args, status } = runSh(script, dir);
      expect(status, script).toBe(0);
      expect(args, script).toEqual([value, "end"]);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("holds for arbitrary generated strings (property test)", () => {
    const dir = tempDir();
    const t = compileTemplate("printf '%s\\0' x{{v}}y {{v}}");
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0")), (v) => {
        const { args } = runSh(renderTemplate(t, { v }), dir);
        expect(args).toEqual([`x${v}y`, v]);
      }),
      { numRuns: 150 },
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("expands arrays to one quoted word per element", () => {
    const dir = tempDir();
    const script = renderTemplate(compileTemplate("printf '%s\\0' {{files}}"), { files: ["a b", "$(x)", "*"] });
    expect(runSh(script, dir).args).toEqual(["a b", "$(x)", "*"]);
  });

  it("renders sections for booleans and optionals, inverted sections for false", () => {
    const t = compileTemplate("run{{#force}} --force{{/force}}{{^force}} --safe{{/force}}{{#name}} --name {{name}}{{/name}}");
    expect(renderTemplate(t, { force: true })).toBe("run --force");
    expect(renderTemplate(t, { force: false, name: "x y" })).toBe("run --safe --name 'x y'");
    expect(renderTemplate(t, { force: false, name: "" })).toBe("run --safe");
  });

  it("drops standalone section lines", () => {
    const t = compileTemplate("a\n  {{#x}}\nb\n  {{/x}}\nc\n");
    expect(renderTemplate(t, { x: true })).toBe("a\nb\nc\n");
    expect(renderTemplate(t, { x: false })).toBe("a\nc\n");
  });

  it("rejects a NUL byte instead of truncating the argument", () => {
    expect(() => renderTemplate(compileTemplate("echo {{a}}"), { a: "a\0b" })).toThrow(/NUL/);
    expect(() => quoteShellWord("\0")).toThrow(RangeError);
  });

  it("refuses placeholders where quoting would not protect them", () => {
    const cases: [string, RegExp][] = [
      ["echo '{{a}}'", /single quotes/],
      ['echo "{{a}}"', /double quotes/],
      ["echo `x {{a}}`", /backticks/],
      ["echo $'{{a}}'", /\$'…'/],
      ["echo \\{{a}}", /backslash/],
      ["echo ${{a}}", /after '\$'/],
      ["echo hi # {{a}}", /comment/],
      ["cat <<EOF\n{{a}}\nEOF", /heredoc/],
      ["{{#a}}'{{/a}}", /balanced/],
      ["{{#a}}x", /never closed/],
      ["{{#a}}x{{/b}}", /closes/],
      ["echo {{ a", /malformed/],
    ];
    for (const [source, message] of cases) expect(() => compileTemplate(source), source).toThrow(message);
  });

  it("refuses placeholders in heredoc bodies whatever the delimiter (@@, !, %% were missed once)", () => {
    for (const op of ["<<@@", "<<!", "<<%%", "<< @@", "<<-!", "<<'@@'", '<<"%%"', "<<a.b-c", "<<=@", "<<+"]) {
      const delimiter = op.replace(/^<<-?\s*/, "").replace(/['"]/g, "");
      const source = `cat ${op}\n{{a}}\n${delimiter}\necho {{a}}`;
      expect(() => compileTemplate(source), source).toThrow(/heredoc body/);
      // After the body ends, plain word position again.
      expect(() => compileTemplate(`cat ${op}\nbody\n${delimiter}\necho {{a}}`), source).not.toThrow();
    }
  });

  it("refuses any placeholder after a heredoc whose delimiter is not a fixed word", () => {
    for (const source of ["cat <<{{a}}\nx\n", "cat <<E{{a}}\nx\nE\necho {{a}}", "cat <<\\E\nx\nE\necho {{a}}", 'cat <<"$x"\nE\necho {{a}}', "cat <<#\n{{a}}"]) {
      expect(() => compileTemplate(source), source).toThrow(/heredoc/);
    }
    expect(() => compileTemplate("cat <<< {{a}}")).not.toThrow();
  });

  it("allows placeholders after a heredoc ends and inside $( )", () => {
    expect(() => compileTemplate("cat <<'EOF'\n{{a}}\nEOF")).toThrow(/heredoc/);
    const dir = tempDir();
    const after = compileTemplate("cat <<EOF >/dev/null\nbody\nEOF\nx=$(printf '%s' {{a}}); printf '%s\\0' {{a}} \"$x\"");
    expect(runSh(renderTemplate(after, { a: "$(touch p)" }), dir).args).toEqual(["$(touch p)", "$(touch p)"]);
    expect(fs.existsSync(path.join(dir, "p"))).toBe(false);
  });

  it("says how to fix a bare optional placeholder without a value", () => {
    expect(() => renderTemplate(compileTemplate("echo {{a}}"), {})).toThrow(TemplateError);
    expect(() => renderTemplate(compileTemplate("echo {{a}}"), {})).toThrow(/wrap it in \{\{#a\}\}/);
  });
});
