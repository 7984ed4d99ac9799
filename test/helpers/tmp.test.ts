import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "./tmp.js";

describe("tempDir", () => {
  it("registers every dir it makes, and removeTempDirs (run after each file) removes them with their contents", () => {
    const a = tempDir();
    const b = tempDir("fb-other-");
    fs.writeFileSync(`${b}/file`, "x");
    removeTempDirs();
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.existsSync(b)).toBe(false);
  });
});
