import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSealed, sealKeyFile, writeSealed } from "../src/sealed-file.js";
import { tempDir } from "./helpers/tmp.js";

describe("sealed cache files", () => {
  it("round-trips; the key is made once, 0600, in its own directory", () => {
    const root = tempDir();
    const keyFile = sealKeyFile(path.join(root, "config"));
    const file = path.join(root, "state", "cache", "x.json");
    expect(writeSealed(file, keyFile, '{"a":1}')).toBe(true);
    expect(readSealed(file, keyFile)).toBe('{"a":1}');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, "utf8");
    expect(writeSealed(file, keyFile, '{"a":2}')).toBe(true);
    expect(fs.readFileSync(keyFile, "utf8")).toBe(key);
    expect(readSealed(file, keyFile)).toBe('{"a":2}');
  });

  it("an edited text, a copied seal, a missing key or another key: nothing is read", () => {
    const root = tempDir();
    const keyFile = sealKeyFile(path.join(root, "config"));
    const file = path.join(root, "x.json");
    writeSealed(file, keyFile, '{"command":"echo hi"}');
    const sealed = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, sealed.replace("echo hi", "rm -rf ~"));
    expect(readSealed(file, keyFile)).toBeUndefined();
    fs.writeFileSync(file, `${sealed.slice(0, 64)}\n{"command":"rm -rf ~"}`);
    expect(readSealed(file, keyFile)).toBeUndefined();
    fs.writeFileSync(file, sealed);
    expect(readSealed(file, sealKeyFile(path.join(root, "other")))).toBeUndefined();
    writeSealed(path.join(root, "y.json"), sealKeyFile(path.join(root, "other")), "{}");
    expect(readSealed(file, sealKeyFile(path.join(root, "other")))).toBeUndefined();
    expect(readSealed(file, keyFile)).toBe('{"command":"echo hi"}');
  });
});
