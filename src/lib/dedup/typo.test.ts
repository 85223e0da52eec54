import { describe, expect, it } from "vitest";
import { compareWords, editBudget, typoCost } from "./typo";
import { DEFAULT_DEDUP_OPTIONS } from "./options";

const THRESHOLDS = DEFAULT_DEDUP_OPTIONS;

describe("typo cost", () => {
  it.each([
    ["eiffel", "eifel", 1],
    ["eiffel", "eiffle", 1],
    ["tower", "towre", 1],
    ["tolstoy", "tolstoi", 1],
    ["organization", "organisation", 1],
    ["iceland", "ireland", 2],
    ["nanjing", "nanning", 2],
    ["niger", "nigeria", 2],
    ["abc", "abc", 0],
  ])("%s -> %s costs %i", (a, b, cost) => {
    expect(typoCost(a, b, 5)).toBe(cost);
    expect(typoCost(b, a, 5)).toBe(cost);
  });

  it("stops at max + 1", () => {
    expect(typoCost("abcdefgh", "zyxwvuts", 2)).toBe(3);
    expect(typoCost("a", "abcdef", 2)).toBe(3);
  });

  it("allows one edit from 5 letters and two when both words have 9", () => {
    expect(editBudget(4, 4, THRESHOLDS)).toBe(0);
    expect(editBudget(4, 5, THRESHOLDS)).toBe(1);
    expect(editBudget(8, 9, THRESHOLDS)).toBe(1);
    expect(editBudget(9, 10, THRESHOLDS)).toBe(2);
  });
});

describe("word comparison guards", () => {
  it.each([["tolstoi", "tolstoy", null]])("%s is a typo of %s", (candidate, known, soft) => {
    expect(compareWords(candidate, known, THRESHOLDS)).toMatchObject({ soft });
  });

  it.each([
    ["eifel", "eiffel", "doubled"],
    ["sstation", "station", "doubled"],
    ["towre", "tower", "transposition"],
  ])("%s / %s alone is a slip too short to merge (%s), strong only in a longer name", (candidate, known, kind) => {
    expect(compareWords(candidate, known, THRESHOLDS)).toMatchObject({ soft: "weak-evidence", kind, slip: true });
  });

  it.each([
    ["western", "eastern"],
    ["zambia", "gambia"],
    ["xv", "xiv"],
    ["xvi", "xiv"],
    ["12", "11"],
    ["b", "a"],
  ])("%s is never matched with %s", (candidate, known) => {
    expect(compareWords(candidate, known, THRESHOLDS)).toBeNull();
  });

  it.each([
    ["georgian", "georgia", "affix"],
    ["nigeria", "niger", "affix"],
    ["hindu", "hindi", "final-letter"],
    ["mario", "maria", "final-letter"],
    ["ireland", "iceland", "over-budget"],
  ])("%s / %s is borderline (%s)", (candidate, known, soft) => {
    expect(compareWords(candidate, known, THRESHOLDS)).toMatchObject({ soft });
  });

  it("lets a one-letter truncation of a common word through", () => {
    expect(compareWords("squar", "square", THRESHOLDS)).toMatchObject({ soft: "affix" });
    expect(compareWords("squar", "square", THRESHOLDS, true)).toMatchObject({ soft: null, cost: 1 });
    expect(compareWords("georgian", "georgia", THRESHOLDS, true)).toMatchObject({ soft: null });
  });
});
