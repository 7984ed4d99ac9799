import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { assertLiteralWords, renderTemplateChecked } from "../../src/commands/placeholder-check.js";
import { type CompiledTemplate, compileTemplate, renderTemplateWithSpans } from "../../src/commands/template.js";
import { TemplateError } from "../../src/errors.js";
import { type BashParser, loadBashParser } from "../../src/policy/shell/syntax-tree.js";
import { tempDir } from "../helpers/tmp.js";

let parser: BashParser;
beforeAll(async () => {
  parser = await loadBashParser();
});

/** A template whose one value sits where `text` says, built without the load-time scanner (to test the parse check alone). */
function unscanned(before: string, after: string): CompiledTemplate {
  return {
    source: `${before}{{v}}${after}`,
    nodes: [
      { kind: "text", text: before },
      { kind: "value", name: "v", line: 1 },
      { kind: "text", text: after },
    ],
    names: new Set(["v"]),
    unguarded: new Set(["v"]),
  };
}

describe("the parse check of rendered values", () => {
  it("accepts values in plain word positions", async () => {
    const positions: [string, string][] = [
      ["echo ", ""],
      ["echo x", "y"],
      ["dest=", "; echo \"$dest\""],
      ["export X=", ""],
      ["cat > ", ""],
      ["cat <<< ", ""],
      ["x=$(printf %s ", ")"],
      ["for a in ", "; do echo $a; done"],
      ["case ", " in *) ;; esac"],
      ["[ ", " = x ]"],
      ["rg --glob \\*.", " -e x"],
      ["cat <<'EOF'\nbody\nEOF\necho ", ""],
    ];
    for (const [before, after] of positions) {
      await expect(renderTemplateChecked(unscanned(before, after), { v: "$(touch pwned) a'b" }, parser), before).resolves.toContain("'$(touch pwned) a'\\''b'");
    }
  });

  it("accepts a number value, which tree-sitter-bash reads as a number node, and the shell as literal text", async () => {
    for (const value of [3, 0, 42, -7, 2.5]) {
      const script = await renderTemplateChecked(unscanned("seq ", ""), { v: value }, parser);
      expect(script).toMatch(/^seq /);
      const run = spawnSync("/bin/sh", ["-c", `printf '%s' ${script.slice(4)}`], { encoding: "utf8" });
      expect(run.stdout).toBe(String(value));
    }
    // Still refused where a number would be arithmetic.
    await expect(renderTemplateChecked(unscanned("echo $(( ", " ))"), { v: 3 }, parser)).rejects.toThrow(TemplateError);
  });

  it("refuses values the shell would read as code or as part of other syntax", async () => {
    const positions: [string, string, RegExp][] = [
      ["cat <<@@\n", "\n@@", /heredoc/],
      ["cat <<!\n", "\n!", /heredoc/],
      ["cat <<%%\n", "\n%%", /heredoc/],
      ["cat <<", "\nx\n", /heredoc/],
      ["echo '", "'", /single quotes|split across/],
      ['echo "', '"', /double quotes|split across/],
      ["echo `echo ", "`", /backticks/],
      ["echo ${x:-", "}", /\$\{…\}/],
      ["echo $(( ", " ))", /arithmetic/],
      ["(( ", " ))", /\(\( … \)\)/],
      ["[[ -v ", " ]]", /\[\[ … \]\]/],
      ["echo ~", "", /tilde/],
      ["echo $", "", /syntax|after '\$'|\$'…'/],
      ["echo hi # ", "", /comment/],
      ["echo (", "", /does not parse|syntax/],
    ];
    for (const [before, after, message] of positions) {
      const attempt = renderTemplateChecked(unscanned(before, after), { v: "root" }, parser);
      await expect(attempt, before).rejects.toThrow(TemplateError);
      await expect(renderTemplateChecked(unscanned(before, after), { v: "$(id) x" }, parser), before).rejects.toThrow(message);
    }
  });

  it("refuses an unquoted assignment-looking value in command position", () => {
    // quoteShellWord quotes '=' since this was found; the check itself does not rely on that.
    const script = "a=b echo";
    expect(() => assertLiteralWords(parser, script, [{ name: "v", line: 1, start: 0, end: 3 }])).toThrow(/syntax/);
  });

  it("checks every element of an array value", async () => {
    await expect(renderTemplateChecked(unscanned("printf '%s\\0' ", ""), { v: ["a b", "$(x)", "*"] }, parser)).resolves.toBe("printf '%s\\0' 'a b' '$(x)' '*'");
    const spans = renderTemplateWithSpans(unscanned("echo ", ""), { v: ["a", "b c"] }).spans;
    expect(spans.map((s) => [s.start, s.end])).toEqual([
      [5, 6],
      [7, 12],
    ]);
  });
});

/** Runs a script with /bin/sh in dir; prints each argv element NUL-terminated. */
function runSh(script: string, cwd: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", script], { cwd, encoding: "utf8", timeout: 5000 });
  return r.stdout === "" ? [] : r.stdout.slice(0, -1).split("\0");
}

const delimiterChar = fc.constantFrom(..."@!%._-+:,=#*~^?[]{}AZaz09".split(""), "$", "`", " ", "\\");
const delimiter = fc.array(delimiterChar, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(""));
const quoting = fc.constantFrom("plain", "single", "double", "backslash");
const bodyLine = fc.constantFrom("text", "{{v}}", "a {{v}} b", "'{{v}}'", "$(echo {{v}})", "{{#s}}{{v}}{{/s}}", "");

/** A heredoc (maybe nested in $( ), maybe in a section) with body lines, and probes that print the value outside it. */
const heredocTemplate = fc
  .record({
    delim: delimiter,
    quote: quoting,
    strip: fc.boolean(),
    space: fc.boolean(),
    body: fc.array(bodyLine, { maxLength: 3 }),
    nest: fc.constantFrom("none", "substitution", "section", "pipe-to-sh"),
    probeBefore: fc.boolean(),
    probeAfter: fc.boolean(),
  })
  .map((t) => {
    const word = { plain: t.delim, single: `'${t.delim}'`, double: `"${t.delim}"`, backslash: `\\${t.delim}` }[t.quote];
    const operator = `<<${t.strip ? "-" : ""}${t.space ? " " : ""}${word}`;
    const heredoc = `cat ${operator}\n${t.body.join("\n")}${t.body.length ? "\n" : ""}${t.delim}\n`;
    const wrapped = {
      none: `${heredoc.replace(/^cat /, "cat >/dev/null ")}`,
      substitution: `x=$(${heredoc})\n`,
      section: `{{#s}}\n${heredoc.replace(/^cat /, "cat >/dev/null ")}{{/s}}\n`,
      "pipe-to-sh": `${heredoc.replace(/^cat (.*)\n/, "cat $1 | sh >/dev/null 2>&1\n")}`,
    }[t.nest];
    const probe = "printf '%s\\0' {{v}}\n";
    return { source: `${t.probeBefore ? probe : ""}${wrapped}${t.probeAfter ? probe : ""}`, probes: Number(t.probeBefore) + Number(t.probeAfter), delim: t.delim };
  });

describe("templates with heredocs (property)", () => {
  it("either fail to load, or every value is one literal word in the parse and runs as data", () => {
    const dir = tempDir();
    let ran = 0;
    fc.assert(
      fc.property(heredocTemplate, ({ source, probes, delim }) => {
        let template: CompiledTemplate;
        try {
          template = compileTemplate(source);
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateError);
          return;
        }
        for (const v of ["$(touch canary)", `x\n${delim}\ntouch canary2\n`, "`touch canary3`", "'; touch canary4; '"]) {
          const { script, spans } = renderTemplateWithSpans(template, { v, s: true });
          let refused = false;
          try {
            assertLiteralWords(parser, script, spans);
          } catch (error) {
            expect(error).toBeInstanceOf(TemplateError);
            refused = true;
          }
          if (refused) {
            // Only a template that is not shell at all (e.g. a heredoc without a delimiter) may load and then be
            // refused by the parse check; for one that parses, the load-time scanner and the grammar must agree.
            expect(parser.parse(script).errors, script).not.toEqual([]);
            continue;
          }
          expect(runSh(script, dir), script).toEqual(Array.from({ length: probes }, () => v));
          expect(fs.readdirSync(dir), script).toEqual([]);
          ran++;
        }
      }),
      { numRuns: Number(process.env.FB_PROPERTY_RUNS ?? 120) },
    );
    // The generator must also produce templates that load and run, or the property says nothing.
    expect(ran).toBeGreaterThan(40);
    expect(fs.existsSync(path.join(dir, "canary"))).toBe(false);
  }, 60_000);
});
