import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Automaton } from "../../src/knowledge/automaton.js";
import { createMatcher, foldCase, type NormalizedTerm, Thesaurus } from "../../src/knowledge/index.js";

function thesaurusOf(map: Record<string, string>, urls: Record<string, string> = {}): Thesaurus {
  const concepts = [...new Set(Object.values(map))].sort();
  return new Thesaurus(
    "t",
    Object.entries(map).map(([term, concept]): [string, NormalizedTerm] => [term, { id: concepts.indexOf(concept) + 1, nterm: concept, url: urls[concept] ?? null }]),
  );
}

/** Reference: at each position the longest pattern starting there; skip past it. */
function naiveLeftmostLongest(patterns: string[], text: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pos = 0;
  while (pos < text.length) {
    let best = -1;
    for (let p = 0; p < patterns.length; p++) {
      if (text.startsWith(patterns[p]!, pos) && (best < 0 || patterns[p]!.length > patterns[best]!.length)) best = p;
    }
    if (best >= 0) {
      out.push([best, pos, pos + patterns[best]!.length]);
      pos += patterns[best]!.length;
    } else pos++;
  }
  return out;
}

const triples = (raw: number[]) => Array.from({ length: raw.length / 3 }, (_, i) => [raw[3 * i]!, raw[3 * i + 1]!, raw[3 * i + 2]!]);

describe("automaton", () => {
  it("agrees with a brute-force leftmost-longest search on random patterns and texts", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c", " "), minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 1, maxLength: 12 }),
        fc.string({ unit: fc.constantFrom("a", "b", "c", " ", "d"), maxLength: 60 }),
        fc.constantFrom(0, 1, 2, 4),
        (patterns, text, maxDenseDepth) => {
          const a = Automaton.build(patterns, { maxDenseDepth });
          expect(triples(a.findLeftmostLongest(text, a.classOf))).toEqual(naiveLeftmostLongest(patterns, text));
          // Anchored walks with no boundary constraint select the same matches.
          expect(triples(a.findAnchoredLongest(text, a.classOf, () => true, () => true))).toEqual(naiveLeftmostLongest(patterns, text));
        },
      ),
      { numRuns: 800 },
    );
  });

  it("agrees with the brute force when a state has many children (bisection path)", () => {
    const patterns = Array.from({ length: 30 }, (_, i) => `x${String.fromCharCode(97 + (i % 26))}${i >= 26 ? "z" : ""}`);
    const text = patterns.join("-") + "xqz xz";
    for (const maxDenseDepth of [0, 1]) {
      const a = Automaton.build(patterns, { maxDenseDepth });
      expect(triples(a.findLeftmostLongest(text, a.classOf))).toEqual(naiveLeftmostLongest(patterns, text));
    }
  });

  it("prefers leftmost over longest, then longest at the same start", () => {
    const a = Automaton.build(["he", "she", "hers", "a", "ab", "bc", "abcd"]);
    // "ushers": "she" starts first, "hers" overlaps it and is dropped.
    expect(triples(a.findLeftmostLongest("ushers", a.classOf))).toEqual([[1, 1, 4]]);
    // "abc": "ab" (longest at 0) beats "a"; "bc" overlaps it.
    expect(triples(a.findLeftmostLongest("abc", a.classOf))).toEqual([[4, 0, 2]]);
    expect(triples(a.findLeftmostLongest("abcd", a.classOf))).toEqual([[6, 0, 4]]);
  });

  it("rejects empty patterns and handles an empty pattern set", () => {
    expect(() => Automaton.build([""])).toThrow(RangeError);
    const a = Automaton.build([]);
    expect(a.findLeftmostLongest("anything", a.classOf)).toEqual([]);
  });
});

describe("createMatcher", () => {
  const t = thesaurusOf({ pnpm: "bun", "pnpm install": "bun install", npm: "bun", yarn: "bun", "npm install": "bun install" });

  it("reports the leftmost-longest term with UTF-16 and UTF-8 positions", () => {
    const text = "we deploy with pnpm install today";
    const [m, ...rest] = createMatcher(t).find(text);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ term: "pnpm install", concept: "bun install", text: "pnpm install", start: 15, end: 27, byteStart: 15, byteEnd: 27 });
  });

  it("finds terms whatever their case, and keeps the text as written", () => {
    const found = createMatcher(t).find("PNPM INSTALL, then Yarn");
    expect(found.map((m) => [m.term, m.text])).toEqual([
      ["pnpm install", "PNPM INSTALL"],
      ["yarn", "Yarn"],
    ]);
  });

  it("folds non-ASCII case: Greek (final sigma), ß/ẞ, Cyrillic, and maps offsets back to the original", () => {
    const m = createMatcher(thesaurusOf({ "οδός": "road", "straße": "street", "москва": "moscow" }));
    const text = "Η ΟΔΌΣ, die STRAẞE, Straße und МОСКВА";
    const found = m.find(text);
    expect(found.map((x) => [x.concept, x.text])).toEqual([
      ["road", "ΟΔΌΣ"],
      ["street", "STRAẞE"],
      ["street", "Straße"],
      ["moscow", "МОСКВА"],
    ]);
    for (const x of found) {
      expect(text.slice(x.start, x.end)).toBe(x.text);
      expect(Buffer.from(text).subarray(x.byteStart, x.byteEnd).toString()).toBe(x.text);
    }
    // ß is not "ss" (no full case folding).
    expect(m.find("STRASSE")).toEqual([]);
  });

  it("maps positions back when lowercasing changes the length (İ -> i + U+0307)", () => {
    const m = createMatcher(thesaurusOf({ "i̇stanbul": "istanbul", izmir: "izmir", ankara: "ankara" }));
    expect(foldCase("İ").length).toBe(2);
    const text = "İİ İSTANBUL, İzmir? ANKARA";
    const found = m.find(text);
    expect(found.map((x) => [x.concept, x.text, x.start, x.end])).toEqual([
      ["istanbul", "İSTANBUL", 3, 11],
      ["ankara", "ANKARA", 20, 26],
    ]);
    for (const x of found) expect(Buffer.from(text).subarray(x.byteStart, x.byteEnd).toString()).toBe(x.text);
    // A term ending in "i" that meets an İ covers the whole character; an İ inside a word adds a combining dot.
    const wiki = createMatcher(thesaurusOf({ wiki: "wiki" })).find("A WIKİ page, a WİKİ");
    expect(wiki.map((x) => x.text)).toEqual(["WIKİ"]);
  });

  it("handles astral characters: offsets around emoji and case folding of Deseret letters", () => {
    const m = createMatcher(thesaurusOf({ yarn: "bun", "𐐨𐐯": "deseret" }));
    const text = "😀 yarn 😀 𐐀𐐇";
    const found = m.find(text);
    expect(found.map((x) => [x.concept, x.text])).toEqual([
      ["bun", "yarn"],
      ["deseret", "𐐀𐐇"],
    ]);
    const yarn = found[0]!;
    expect([yarn.start, yarn.end, yarn.byteStart, yarn.byteEnd]).toEqual([3, 7, 5, 9]);
  });

  it("whole-word mode only matches terms not glued to word characters", () => {
    const th = thesaurusOf({ npm: "bun", git: "git", "git push": "git", ".net": "dotnet", "c++": "cpp" });
    const text = "pnpm npm_x npm, digit git push, asp.net and c++";
    expect(createMatcher(th).find(text).map((m) => m.text)).toEqual(["npm", "npm", "npm", "git", "git push", ".net", "c++"]);
    const whole = createMatcher(th, { wholeWord: true }).find(text);
    expect(whole.map((m) => [m.text, m.start])).toEqual([
      ["npm", 11],
      ["git push", 22],
      [".net", 35],
      ["c++", 44],
    ]);
  });

  it("withWholeWord gives the other mode over the same automaton, matching as a matcher built for it", () => {
    const th = thesaurusOf({ npm: "bun", git: "git", "git push": "git", ".net": "dotnet", "c++": "cpp" });
    const text = "pnpm npm_x npm, digit git push, asp.net and c++";
    const any = createMatcher(th);
    const whole = any.withWholeWord(true);
    expect(whole.wholeWord).toBe(true);
    expect(whole.find(text)).toEqual(createMatcher(th, { wholeWord: true }).find(text));
    expect(whole.withWholeWord(false).find(text)).toEqual(any.find(text));
    expect(any.withWholeWord(false)).toBe(any);
  });

  it("whole-word mode falls back to a shorter term when the longest is glued to a word", () => {
    const th = thesaurusOf({ data: "data", "data store": "storage" });
    expect(createMatcher(th, { wholeWord: true }).find("data stores").map((m) => m.term)).toEqual(["data"]);
    expect(createMatcher(th).find("data stores").map((m) => m.term)).toEqual(["data store"]);
  });

  it("replaces matches with links as Terraphim does", () => {
    const th = thesaurusOf({ npm: "bun", "npm install": "bun install", "a<b": "x&y" }, { bun: "https://bun.sh", "x&y": 'q"r' });
    const m = createMatcher(th);
    const text = "npm install && NPM build a<b";
    expect(m.replace(text, "plain")).toBe("bun install && bun build x&y");
    expect(m.replace(text, "wiki")).toBe("[[bun install]] && [[bun]] build [[x&y]]");
    expect(m.replace(text, "markdown")).toBe("[bun install]() && [bun](https://bun.sh) build [x&y](q\"r)");
    expect(m.replace(text, "html")).toBe(
      '<a href="">bun install</a> && <a href="https://bun.sh">bun</a> build <a href="q&#34;r">x&#38;y</a>',
    );
  });

  it("lists distinct concepts in order of first appearance", () => {
    expect(createMatcher(t).concepts("yarn then pnpm install then npm")).toEqual(["bun", "bun install"]);
  });

  it("UTF-8 byte offsets agree with Buffer on random text", () => {
    const th = thesaurusOf({ ab: "x", "é": "e", "😀a": "smile", σ: "sigma" });
    const m = createMatcher(th);
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "é", "É", "😀", "Σ", "ς", "İ", " ", "中"), { maxLength: 30 }), (chars) => {
        const text = chars.join("");
        for (const x of m.find(text)) {
          expect(text.slice(x.start, x.end)).toBe(x.text);
          expect(Buffer.from(text).subarray(x.byteStart, x.byteEnd).toString()).toBe(x.text);
          expect(Buffer.byteLength(text.slice(0, x.start))).toBe(x.byteStart);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("ASCII texts take a shortcut (128-entry tables instead of the BMP ones)", () => {
  it("an ASCII text matches exactly as it does through the BMP tables", () => {
    // The same text followed by a far non-ASCII word takes the BMP path; matches inside the ASCII part must agree.
    const th = thesaurusOf({ npm: "bun", "npm install": "bun install", "a_b": "ab", "x-1": "x", "Data Store": "storage", "@@": "at" });
    const unit = fc.constantFrom("npm", "NPM", "_", "n", "N", "p", "P", "m", "M", " ", "i", "nstall", "INSTALL", "a", "_", "b", "B", "x", "-", "1", "9", "@", "data", "STORE", "\t", ".");
    for (const wholeWord of [false, true]) {
      const m = createMatcher(th, { wholeWord });
      fc.assert(
        fc.property(fc.array(unit, { maxLength: 25 }), (parts) => {
          const text = parts.join("");
          const viaBmp = m.find(`${text} ü`).filter((x) => x.end <= text.length);
          expect(m.find(text)).toEqual(viaBmp);
        }),
        { numRuns: 400 },
      );
    }
  });

  it("folds ASCII as the BMP fold table does", () => {
    for (let u = 0; u < 0x80; u++) {
      const c = String.fromCharCode(u);
      expect(foldCase(c)).toBe(foldCase(`${c}ü`).slice(0, 1));
    }
  });
});
