/** Rules: opaque segments, fork bombs, read-only commands with unknowable arguments, unknown commands. */
import { DEV_TOOLS, NON_PATH_COMMANDS, READ_ONLY_COMMANDS, WORKSPACE_WRITERS } from "../command-sets.js";
import { POSIX_SHELLS } from "../../shell/interpreters.js";
import { DELETERS } from "../file-effects.js";
import type { RiskRule } from "../rule-types.js";
import type { SegmentView } from "../segment-view.js";

/** sed scripts that only print, delete or substitute (no `e`, `w`, `r` commands or `s///e`/`w` flags). */
const SIMPLE_SED_SCRIPT_RE = /^(\/[^/]*\/|\d+|\$)?(,(\/[^/]*\/|\d+|\$))?\s*(!?\s*[pdq=]|s(.)(?:(?!\5)[^\\]|\\.)*\5(?:(?!\5)[^\\]|\\.)*\5[gpiImM0-9]*)?$/;
const SED_SCRIPT_OPTIONS = new Set(["-e", "--expression"]);
const RG_COMMAND_OPTIONS = ["--pre"];
const FD_COMMAND_OPTIONS = ["-x", "--exec", "-X", "--exec-batch"];
/** Interpreters whose first operand is a script file. */
const SCRIPT_RUNNERS = new Set(["node", "nodejs", "python", "python3", "tsx", "deno", "ruby", "perl", "php"]);
const SAFE_PYTHON_MODULES = new Set(["pytest", "unittest", "venv", "mypy", "black", "ruff", "flake8", "pylint", "json.tool", "compileall", "py_compile", "doctest", "pydoc", "timeit", "tox", "build", "coverage", "isort"]);

/** `bash -c '…'` only carries code, which is judged as its own segments. */
const isShellCarrier = (v: SegmentView): boolean => POSIX_SHELLS.has(v.name) && !v.segment.opaque && v.shortFlags.has("c");

/** Commands whose arguments are read as file paths. */
const readsPaths = (v: SegmentView): boolean => READ_ONLY_COMMANDS.has(v.name) && !NON_PATH_COMMANDS.has(v.name);

function sedScripts(v: SegmentView): string[] {
  const scripts: string[] = [];
  v.args.forEach((arg, i) => {
    if (SED_SCRIPT_OPTIONS.has(arg)) scripts.push(v.args[i + 1] ?? "");
    else if (arg.startsWith("--expression=")) scripts.push(arg.slice(13));
  });
  if (scripts.length === 0 && !v.has("-f", "--file")) scripts.push(v.operands[0] ?? "");
  return scripts.flatMap((s) => s.split(/[;\n]/)).map((s) => s.trim());
}

/** The function a segment sits in and whether it calls itself in a pipe or in the background. */
function selfCallingFunction(v: SegmentView): string | undefined {
  const functions = v.segment.context.filter((c) => c.startsWith("function:")).map((c) => c.slice(9));
  const name = v.segment.argv[0];
  if (name === undefined || !functions.includes(name)) return undefined;
  const multiplies = (v.segment.pipeline?.length ?? 1) > 1 || v.segment.background === true;
  return multiplies ? name : undefined;
}

export const GENERAL_RULES: readonly RiskRule[] = [
  {
    id: "opaque",
    family: "opaque",
    risk: "high",
    reason: "cannot be analysed statically",
    applies: (v) => v.segment.opaque && (v.segment.opaqueReason ?? true),
  },
  {
    id: "fork-bomb",
    family: "fork-bomb",
    risk: "critical",
    reason: "function calls itself in a pipeline or in the background (fork bomb)",
    applies: (v) => selfCallingFunction(v),
  },
  {
    id: "rg-pre-command",
    family: "read-only",
    risk: "high",
    reason: "rg --pre runs a command for every file",
    applies: (v) => v.name === "rg" && v.has(...RG_COMMAND_OPTIONS),
  },
  {
    id: "fd-exec",
    family: "read-only",
    risk: "high",
    reason: "fd runs a command for every file found",
    applies: (v) => v.name === "fd" && v.has(...FD_COMMAND_OPTIONS),
  },
  {
    id: "sed-complex-script",
    family: "read-only",
    risk: "medium",
    reason: "sed script beyond print/delete/substitute (e, w and r commands run or write)",
    applies: (v) => v.name === "sed" && (v.has("-f", "--file") || sedScripts(v).find((s) => !SIMPLE_SED_SCRIPT_RE.test(s))),
  },
  {
    id: "read-unknown-path",
    family: "read-only",
    risk: "medium",
    reason: "reads a path only known at run time",
    applies: (v) => readsPaths(v) && v.operandPaths.find((p) => p.abs === undefined)?.raw,
  },
  {
    id: "script-outside-workspace",
    family: "unknown",
    risk: "medium",
    reason: "runs a script from outside the workspace",
    applies: (v) => SCRIPT_RUNNERS.has(v.name) && v.operandPaths[0] !== undefined && !v.operandPaths[0].inWorkspace && v.operandPaths[0].raw,
  },
  {
    id: "python-module",
    family: "unknown",
    risk: "medium",
    reason: "runs a Python module that is not a known test or lint tool",
    applies: (v) => {
      if (!/^(python|pypy)[0-9.]*$/.test(v.name)) return false;
      const module = v.optionValue("-m");
      return module !== undefined && !SAFE_PYTHON_MODULES.has(module) && module;
    },
  },
  {
    id: "unknown-command",
    family: "unknown",
    risk: "medium",
    reason: "not a known read-only or developer command",
    fallback: true,
    applies: (v) =>
      v.name !== "" &&
      !READ_ONLY_COMMANDS.has(v.name) &&
      !WORKSPACE_WRITERS.has(v.name) &&
      !DEV_TOOLS[v.name] &&
      !DELETERS.has(v.name) &&
      v.name !== "git" &&
      !isShellCarrier(v) &&
      v.name,
  },
];
