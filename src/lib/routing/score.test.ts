import { describe, expect, it } from "vitest";
import { summarizeCalls } from "../stats/engine";
import type { CallObservation } from "../stats/types";
import { scoreAgainstCounterfactual, scoreDecision } from "./score";

const MIN = 60_000;

/** A minute-long window with `calls` calls yielding `itemsNew` each at `costUsd` each. */
function window(calls: number, itemsNew: number, costUsd = 0.002) {
  const list: CallObservation[] = Array.from({ length: calls }, (_, i) => ({
    at: ((i + 1) * MIN) / (calls + 1),
    producer: "p1",
    target: "a",
    promptTokens: 100,
    completionTokens: 100,
    costUsd,
    latencyMs: 1_000,
    itemsParsed: itemsNew,
    itemsNew,
    dupExact: 0,
    dupNear: 0,
    junk: 0,
  }));
  return summarizeCalls(list, 0, MIN, 0);
}

describe("scoreDecision", () => {
  it.each([
    {
      name: "more entries per minute at the same price",
      before: window(10, 4),
      after: window(10, 6),
      objective: "per_minute" as const,
      score: 0.5,
      improved: true,
    },
    { name: "fewer entries per minute", before: window(10, 6), after: window(10, 3), objective: "per_minute" as const, score: -0.5, improved: false },
    {
      name: "same entries for half the money",
      before: window(10, 5, 0.002),
      after: window(10, 5, 0.001),
      objective: "per_dollar" as const,
      score: 1,
      improved: true,
    },
    {
      name: "blend: +44% per minute, -44% per dollar about cancel",
      before: window(10, 5, 0.001),
      after: window(10, 7.2, 0.0025),
      objective: "blend" as const,
      score: Math.sqrt(1.44 * 0.576) - 1,
      improved: false,
    },
  ])("$name", ({ before, after, objective, score, improved }) => {
    const s = scoreDecision(before, after, { objective });
    expect(s.score).toBeCloseTo(score, 6);
    expect(s.improved).toBe(improved);
    expect(s.sufficient).toBe(true);
  });

  it("names the metric it compared", () => {
    expect(scoreDecision(window(5, 1), window(5, 2)).metric).toBe("sqrt(uniquePerMinute·uniquePerDollar)");
    expect(scoreDecision(window(5, 1), window(5, 2), { objective: "per_dollar" }).metric).toBe("uniquePerDollar");
  });

  it("requires a minimum gain when asked", () => {
    expect(scoreDecision(window(10, 10), window(10, 10.3), { objective: "per_minute", minGain: 0.05 }).improved).toBe(false);
  });

  it("refuses to judge on too few calls", () => {
    expect(scoreDecision(window(1, 5), window(10, 9))).toMatchObject({ score: 0, improved: false, sufficient: false });
  });

  it("treats recovery from zero yield as the largest gain, and zero to zero as no change", () => {
    expect(scoreDecision(window(5, 0), window(5, 3), { objective: "per_minute" })).toMatchObject({ score: 10, improved: true });
    expect(scoreDecision(window(5, 0), window(5, 0), { objective: "per_minute" })).toMatchObject({ score: 0, improved: false });
  });

  it("falls back to per minute in a free run", () => {
    expect(scoreDecision(window(5, 2, 0), window(5, 3, 0)).score).toBeCloseTo(0.5, 6);
  });
});

describe("scoreAgainstCounterfactual", () => {
  // The topic saturates: every target yields less after the decision than before.
  const strong = window(10, 6);
  const weak = window(10, 2);
  it.each([
    {
      name: "moving traffic to the target that yields more counts, though the run's yield fell",
      old: { a: 0.5, b: 0.5 },
      now: { a: 0.8, b: 0.2 },
      after: { a: strong, b: weak },
      improved: true,
      score: (0.8 * 6 + 0.2 * 2) / (0.5 * 6 + 0.5 * 2) - 1,
    },
    {
      name: "moving it to the worse target does not",
      old: { a: 0.5, b: 0.5 },
      now: { a: 0.2, b: 0.8 },
      after: { a: strong, b: weak },
      improved: false,
      score: (0.2 * 6 + 0.8 * 2) / 4 - 1,
    },
    {
      name: "between identical targets a change is worth nothing",
      old: { a: 0.5, b: 0.5 },
      now: { a: 0.9, b: 0.1 },
      after: { a: window(10, 3), b: window(10, 3) },
      improved: false,
      score: 0,
    },
  ])("$name", ({ old, now, after, improved, score }) => {
    const s = scoreAgainstCounterfactual({ oldWeights: old, newWeights: now, after }, { objective: "per_minute" });
    expect(s.sufficient).toBe(true);
    expect(s.improved).toBe(improved);
    expect(s.score).toBeCloseTo(score, 6);
    expect(s.metric).toMatch(/^counterfactual/);
  });

  it("judges per dollar with the same mixes", () => {
    const s = scoreAgainstCounterfactual(
      { oldWeights: { a: 0.5, b: 0.5 }, newWeights: { a: 0.2, b: 0.8 }, after: { a: window(10, 4, 0.004), b: window(10, 3, 0.001) } },
      { objective: "per_dollar" },
    );
    expect(s.score).toBeCloseTo((0.2 * 4 + 0.8 * 3) / (0.2 * 0.004 + 0.8 * 0.001) / ((0.5 * 4 + 0.5 * 3) / (0.5 * 0.004 + 0.5 * 0.001)) - 1, 6);
    expect(s.improved).toBe(true);
  });

  it("takes a target's rates from before the decision when it got no calls after it, and refuses to judge on nothing", () => {
    const s = scoreAgainstCounterfactual(
      { oldWeights: { a: 0.5, b: 0.5 }, newWeights: { a: 1, b: 0 }, after: { a: window(10, 5) }, before: { b: window(10, 1) } },
      { objective: "per_minute" },
    );
    expect(s).toMatchObject({ sufficient: true, improved: true });
    expect(scoreAgainstCounterfactual({ oldWeights: { a: 1 }, newWeights: { a: 1 }, after: {} })).toMatchObject({ sufficient: false, improved: false });
  });
});
