import { describe, expect, it } from "vitest";
import { createShellAnalyzer } from "../../../src/policy/shell/index.js";

describe("the shell analyzer remembers recent lines", () => {
  it("a repeated line gets the same frozen analysis; no caller can change it for the next", async () => {
    const analyzer = await createShellAnalyzer();
    const first = analyzer.analyze("git status && rm -rf build");
    const again = analyzer.analyze("git status && rm -rf build");
    expect(again).toBe(first);
    expect(Object.isFrozen(first.segments[1]!.argv)).toBe(true);
    expect(() => {
      (first.segments[1]!.argv as string[])[2] = "~";
    }).toThrow(TypeError);
    expect(analyzer.analyze("git status && rm -rf build").segments[1]!.argv).toEqual(["rm", "-rf", "build"]);
  });

  it("lines that differ by one character are analysed apart", async () => {
    const analyzer = await createShellAnalyzer();
    expect(analyzer.analyze("rm -rf ./build").segments[0]!.argv).toEqual(["rm", "-rf", "./build"]);
    expect(analyzer.analyze("rm -rf ./buil").segments[0]!.argv).toEqual(["rm", "-rf", "./buil"]);
    const long = `echo ${"x".repeat(5000)}`;
    expect(analyzer.analyze(long)).not.toBe(analyzer.analyze(long)); // long lines are not kept
  });
});
