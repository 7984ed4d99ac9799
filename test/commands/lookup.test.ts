import { describe, expect, it } from "vitest";
import { closeNames, editDistance } from "../../src/commands/lookup.js";

describe("closeNames (did-you-mean)", () => {
  const known = ["hello-world", "hello", "hi", "deploy", "security-audit", "db:migrate"];
  it("folds case and _ to -, then ranks by edit distance", () => {
    expect(closeNames("hello_world", known)).toEqual(["hello-world"]);
    expect(closeNames("HELLO-WORLD", known)).toEqual(["hello-world"]);
    expect(closeNames("deplyo", known)).toEqual(["deploy"]);
    expect(closeNames("security", known)).toEqual(["security-audit"]);
    expect(closeNames("db:migrat", known)).toEqual(["db:migrate"]);
  });
  it("suggests nothing far away", () => {
    expect(closeNames("zzzzzz", known)).toEqual([]);
  });
  it("editDistance counts inserts, deletes and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});
