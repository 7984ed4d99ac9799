import { beforeAll, describe, expect, it } from "vitest";
import { assessRisk } from "../../../src/policy/risk/index.js";
import { createShellAnalyzer, type ShellAnalyzer } from "../../../src/policy/shell/index.js";
import { riskRank } from "../../../src/policy/types.js";
import { CORPUS, CORPUS_CONTEXT } from "../corpus.js";

let analyzer: ShellAnalyzer;
beforeAll(async () => {
  analyzer = await createShellAnalyzer();
});

describe("risk corpus", () => {
  it("has at least 200 lines, at least 50 of them benign", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(CORPUS.filter((c) => c.min === "low").length).toBeGreaterThanOrEqual(50);
  });

  for (const { line, min, family } of CORPUS) {
    const label = `${family}: ${JSON.stringify(line)} ${min === "low" ? "stays low" : `is at least ${min}`}`;
    it(label, () => {
      const result = assessRisk(analyzer.analyze(line), CORPUS_CONTEXT);
      if (min === "low") {
        expect(result.reasons, `reasons for ${line}`).toEqual([]);
        expect(result.risk).toBe("low");
        expect(result.opaque).toBe(false);
      } else {
        expect(riskRank(result.risk), `${line} -> ${result.risk}: ${result.reasons.join(" | ")}`).toBeGreaterThanOrEqual(riskRank(min));
        expect(result.reasons.length).toBeGreaterThan(0);
      }
    });
  }
});
