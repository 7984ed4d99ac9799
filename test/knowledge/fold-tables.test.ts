import { describe, expect, it } from "vitest";
import { bmpFoldTable } from "../../src/knowledge/fold.js";
import { bmpWordTable } from "../../src/knowledge/matcher.js";

const isSurrogate = (u: number) => u >= 0xd800 && u <= 0xdfff;

describe("BMP tables built by one scan equal the one-by-one definition", () => {
  it("fold: every code unit folds as lowercasing it alone does (final sigma as small sigma)", () => {
    const table = bmpFoldTable();
    const differing: string[] = [];
    for (let u = 0; u < 0x10000; u++) {
      let expected = isSurrogate(u) ? u : String.fromCharCode(u).toLowerCase().charCodeAt(0);
      if (u === 0x3c2 || u === 0x3a3) expected = 0x3c3;
      if (table[u] !== expected) differing.push(u.toString(16));
    }
    expect(differing).toEqual([]);
  });

  it("word characters: letters, digits, marks and '_' exactly", () => {
    const table = bmpWordTable();
    const word = /[\p{L}\p{N}\p{M}_]/u;
    const differing: string[] = [];
    for (let u = 0; u < 0x10000; u++) {
      const expected = !isSurrogate(u) && word.test(String.fromCharCode(u)) ? 1 : 0;
      if (table[u] !== expected) differing.push(u.toString(16));
    }
    expect(differing).toEqual([]);
    expect([table[0x41], table[0x5f], table[0x20], table[0x4e2d]]).toEqual([1, 1, 0, 1]);
  });
});
