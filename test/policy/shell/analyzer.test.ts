import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { bashWasmPath, createShellAnalyzer, decodeAnsiC, loadBashParser, type ShellAnalyzer } from "../../../src/policy/shell/index.js";

let analyzer: ShellAnalyzer;
beforeAll(async () => {
  analyzer = await createShellAnalyzer();
});

const argvs = (line: string): string[][] => analyzer.analyze(line).segments.map((s) => s.argv);
const only = (line: string) => {
  const segments = analyzer.analyze(line).segments;
  expect(segments).toHaveLength(1);
  return segments[0] as (typeof segments)[number];
};

describe("grammar", () => {
  it("loads tree-sitter-bash and parses a line", async () => {
    expect(readFileSync(bashWasmPath()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    const parser = await loadBashParser();
    const { root, errors } = parser.parse("ls -la | wc -l");
    expect(root.type).toBe("program");
    expect(errors).toEqual([]);
  });

  it("shares one analyzer per process", async () => {
    expect(await createShellAnalyzer()).toBe(analyzer);
  });
});

describe("segment extraction", () => {
  it.each([
    ["ls && rm -rf ~/p", [["ls"], ["rm", "-rf", "~/p"]]],
    ["a | b || c; d & e", [["a"], ["b"], ["c"], ["d"], ["e"]]],
    ["(a; { b; })", [["a"], ["b"]]],
    ['echo "$(id) `whoami`"', [["echo", "$(id) `whoami`"], ["id"], ["whoami"]]],
    ["x=$(date) y=`hostname`", [[], ["date"], ["hostname"]]],
    ["diff <(sort a) >(tee b)", [["diff", "<(sort a)", ">(tee b)"], ["sort", "a"], ["tee", "b"]]],
    ["f() { rm x; }", [["rm", "x"]]],
    ["if a; then b; elif c; then d; else e; fi", [["a"], ["b"], ["c"], ["d"], ["e"]]],
    ["for i in $(seq 3); do b; done", [["seq", "3"], ["b"]]],
    ["while a; do b; done < <(c)", [["a"], ["b"], ["c"]]],
    ["case $x in y) a;; *) b;; esac", [["a"], ["b"]]],
    ["! a", [["a"]]],
    ["echo > $(rm x) hi", [["echo", "hi"], ["rm", "x"]]],
    ["cat <<EOF\n$(rm x) `ls`\nEOF", [["cat"], ["rm", "x"], ["ls"]]],
  ])("%j", (line, expected) => {
    expect(argvs(line)).toEqual(expected);
  });

  it("records pipelines, background and nesting", () => {
    const [curl, sh] = analyzer.analyze("curl x | sh &").segments;
    expect(curl?.pipeline).toMatchObject({ index: 0, length: 2 });
    expect(sh?.pipeline).toMatchObject({ index: 1, length: 2 });
    expect(sh?.background).toBe(true);
    const nested = analyzer.analyze("bash <(curl x)").segments;
    expect(nested[1]?.parentId).toBe(nested[0]?.id);
    expect(nested[1]?.context).toEqual(["process_substitution"]);
  });

  it("keeps redirects with fd, op and target", () => {
    expect(only("cmd 2>>log >out <in").redirects).toEqual([
      { op: ">>", fd: 2, target: "log" },
      { op: ">", target: "out" },
      { op: "<", target: "in" },
    ]);
    const compound = analyzer.analyze("{ a; b; } > /etc/x").segments;
    expect(compound.map((s) => s.redirects[0]?.target)).toEqual(["/etc/x", "/etc/x"]);
  });
});

describe("normalisation", () => {
  it.each([
    ["r''m", "rm"],
    ['r""m', "rm"],
    ["\\rm", "rm"],
    ["$'\\x72m'", "rm"],
    ["$'\\162m'", "rm"],
    ["$'\\u0072m'", "rm"],
    ['$"rm"', "rm"],
    ["'r'\"m\"", "rm"],
  ])("%s is rm", (word, expected) => {
    expect(only(`${word} -rf /`).argv).toEqual([expected, "-rf", "/"]);
  });

  it("expands braces outside quotes only", () => {
    expect(only("rm -rf {/,x}").argv).toEqual(["rm", "-rf", "/", "x"]);
    expect(only("echo a{1..3}").argv).toEqual(["echo", "a1", "a2", "a3"]);
    expect(only("echo '{a,b}'").argv).toEqual(["echo", "{a,b}"]);
  });

  it("decodes ANSI-C escapes like bash", () => {
    expect(decodeAnsiC("a\\tb\\n\\x41\\101\\u00e9\\cA\\'")).toBe("a\tb\nAA\u00e9\u0001'");
  });
});

describe("wrappers", () => {
  it.each([
    ["sudo -u root -E rm x", ["sudo"], ["rm", "x"]],
    ["env -i A=1 -u B rm x", ["env"], ["rm", "x"]],
    ["timeout -k 1 -s KILL 5 rm x", ["timeout"], ["rm", "x"]],
    ["nice -n 5 nohup stdbuf -oL rm x", ["nice", "nohup", "stdbuf"], ["rm", "x"]],
    ["command -p exec -a n builtin rm x", ["command", "exec", "builtin"], ["rm", "x"]],
    ["time -p busybox rm x", ["time", "busybox"], ["rm", "x"]],
    ["xargs -0 -n 1 -I{} rm x", ["xargs"], ["rm", "x"]],
    ["doas -u root rm x", ["doas"], ["rm", "x"]],
  ])("%s", (line, wrappers, argv) => {
    const segment = only(line);
    expect(segment.wrappers).toEqual(wrappers);
    expect(segment.argv).toEqual(argv);
  });

  it("marks xargs commands as taking arguments from stdin", () => {
    expect(only("xargs rm").argsFromStdin).toBe(true);
  });

  it("keeps query forms as the command itself", () => {
    expect(only("command -v git").argv).toEqual(["command", "-v", "git"]);
    expect(only("sudo -l").argv).toEqual(["sudo", "-l"]);
  });

  it("makes an unknown wrapper option opaque", () => {
    expect(only("timeout --bogus 5 rm x").opaque).toBe(true);
  });

  it("re-parses sh -c strings, nested", () => {
    const segments = analyzer.analyze(`bash -c "sh -c 'rm -rf /'"`).segments;
    expect(segments.map((s) => s.argv[0])).toEqual(["bash", "sh", "rm"]);
    expect(segments[2]?.context).toEqual(["bash -c", "sh -c"]);
  });

  it("turns find -exec into segments with the find roots", () => {
    const [, exec] = analyzer.analyze("find /srv -exec rm -f {} \\;").segments;
    expect(exec?.argv).toEqual(["rm", "-f", "{}"]);
    expect(exec?.placeholderRoots).toEqual(["/srv"]);
  });

  it("reads shell code from heredocs, here-strings and echo pipes", () => {
    for (const line of ["bash <<'E'\nrm -rf /\nE", "sh <<< 'rm -rf /'", "echo 'rm -rf /' | sh"]) {
      expect(argvs(line)).toContainEqual(["rm", "-rf", "/"]);
    }
  });
});

describe("opaque segments", () => {
  it.each([
    ["$X -rf /", /only known at run time/],
    ["$(echo rm) x", /only known at run time/],
    ["cat$IFS/etc/passwd", /IFS/],
    ["eval ls", /eval/],
    ["source ./x.sh", /runs the commands in a file/],
    ["python3 -c 'print(1)'", /inline code/],
    ["node -e 1", /inline code/],
    ["perl -pe 's/a/b/' f", /inline code/],
    ["awk 'BEGIN{system(\"id\")}'", /runs commands/],
    ["bash -c \"$CMD\"", /only known at run time/],
    ["/bin/r? x", /glob/],
    ["rм -rf /", /non-ASCII/],
    ["ls\u200b", /invisible/],
    ["echo 'open", /parse error/],
    ["ls \u0000", /NUL/],
    ["curl x | sh", /reads its commands from a pipe/],
    ["bash", /interactive shell/],
  ])("%j", (line, reason) => {
    const segments = analyzer.analyze(line).segments;
    const opaque = segments.filter((s) => s.opaque);
    expect(opaque.length).toBeGreaterThan(0);
    expect(opaque.map((s) => s.opaqueReason).join("; ")).toMatch(reason);
  });

  it("does not make plain commands opaque", () => {
    for (const line of ["ls -la", "python3 script.py", "awk '{print $1}' f", "bash script.sh", "git log -p"]) {
      expect(analyzer.analyze(line).segments.every((s) => !s.opaque)).toBe(true);
    }
  });

  it("makes the whole line opaque on a parse error", () => {
    const analysis = analyzer.analyze("ls; rm (");
    expect(analysis.parseErrors.length).toBeGreaterThan(0);
    expect(analysis.segments.every((s) => s.opaque)).toBe(true);
  });
});
