import { describe, expect, it } from "vitest";
import { coverageNow, coverageText } from "../../lib/run-view";
import { coverageLine, effectivenessFromEvents, effectivenessText, formatSignedPercent, outcomeLabel, routingDecisionView } from "./routing-view";

describe("coverage line", () => {
  it("reads as a share of an estimated total, with its band and method", () => {
    const line = coverageLine(coverageNow({ observed: 517, estimatedTotal: 1227, low: 1100, high: 1480, method: "zipf" }, 517));
    expect(line).toMatchObject({
      text: "About 42% of an estimated 1,227 found",
      percent: "42%",
      estimatedTotal: "1,227",
      band: "likely 1,100–1,480",
      methodLabel: "Zipf fit",
    });
    expect(line!.note).toMatch(/power-law/);
    expect(line!.note).toMatch(/517 distinct entries/);
    expect(line!.basis).toBeNull();
  });

  it("says what an estimate rests on once the run has found many more entries since the fit", () => {
    const fit = { observed: 40, estimatedTotal: 1013, low: 588, high: 1771, method: "chao1" };
    expect(coverageLine(coverageNow(fit, 842))!.basis).toBe("fitted on 40 entries");
    expect(coverageLine(coverageNow(fit, 45))!.basis).toBeNull();
    expect(coverageLine(coverageNow({ ...fit, observed: 500 }, 540))!.basis).toBeNull();
  });

  it("says when the data cannot bound the total", () => {
    expect(coverageLine(coverageNow({ observed: 90, estimatedTotal: 300, low: 200, high: null, method: "chao1" }, 90))).toMatchObject({
      band: "at least 200 (no upper bound yet)",
      methodLabel: "Chao1",
    });
  });

  it("works from a stored sample's figures, without a band", () => {
    expect(coverageLine(coverageNow({ observed: 90, estimatedTotal: 100 }, 90))).toMatchObject({
      text: "About 90% of an estimated 100 found",
      band: null,
      methodLabel: null,
    });
  });

  it("does not round a tiny share down to nothing", () => {
    expect(coverageLine(coverageNow({ observed: 50, estimatedTotal: 50_000 }, 50))!.percent).toBe("under 1%");
  });

  it("says the same figures as the tree header and the CLI", () => {
    const c = coverageNow({ observed: 1512, estimatedTotal: 1812 }, 1512);
    const line = coverageLine(c)!;
    expect(coverageText(c)).toBe(`${line.percent} of an estimated ${line.estimatedTotal}`);
  });

  it("is hidden when there is no estimate", () => {
    expect(coverageLine(null)).toBeNull();
  });
});

const decision = (over: { data?: unknown; score?: number | null; kind?: string } = {}) => ({
  kind: over.kind ?? "routing.update",
  score: over.score ?? null,
  data:
    "data" in over
      ? over.data
      : { strategy: "adaptive", oldWeights: { "sim:a": 0.333, "sim:b": 0.333, "sim:c": 0.334 }, newWeights: { "sim:a": 0.6, "sim:b": 0.2, "sim:c": 0.2 } },
});

describe("routing decisions", () => {
  it("lists the weights that moved, biggest move first", () => {
    const view = routingDecisionView(decision());
    expect(view?.strategy).toBe("adaptive");
    expect(view?.changes).toEqual([
      { target: "sim:a", from: 0.333, to: 0.6 },
      { target: "sim:c", from: 0.334, to: 0.2 },
      { target: "sim:b", from: 0.333, to: 0.2 },
    ]);
    expect(view?.outcome).toEqual({ state: "pending" });
  });

  it("leaves out rounding-sized moves and caps the list", () => {
    const data = { oldWeights: { a: 0.5, b: 0.3, c: 0.2, d: 0 }, newWeights: { a: 0.502, b: 0.1, c: 0.1, d: 0.298 } };
    const view = routingDecisionView(decision({ data }), 2);
    expect(view?.changes.map((c) => c.target)).toEqual(["d", "b"]);
    expect(view?.more).toBe(1);
  });

  it("shows a target that appeared or vanished, and survives malformed data", () => {
    const view = routingDecisionView(decision({ data: { oldWeights: { a: 1 }, newWeights: { b: 1, c: "x" } } }));
    expect(view?.changes).toEqual([
      { target: "a", from: 1, to: null },
      { target: "b", from: null, to: 1 },
    ]);
    expect(routingDecisionView(decision({ data: null }))?.changes).toEqual([]);
  });

  it("is only for routing updates", () => {
    expect(routingDecisionView(decision({ kind: "run.started" }))).toBeNull();
  });

  it.each([
    [{ outcome: { score: 0.124, improved: true, sufficient: true, metric: "uniquePerMinute" } }, 0.124, "improved +12%"],
    [{ outcome: { score: -0.05, improved: false, sufficient: true, metric: "uniquePerMinute" } }, -0.05, "not improved −5%"],
    [{ outcome: { score: 0, improved: false, sufficient: false, metric: "uniquePerMinute" } }, 0, "too few calls to score"],
    // A score without the details (older rows): its sign decides.
    [{}, 0.3, "improved +30%"],
    [{}, null, "not scored yet"],
  ])("reads the outcome %o with score %s as %s", (data, score, label) => {
    const view = routingDecisionView(decision({ data, score }));
    expect(outcomeLabel(view!.outcome)).toBe(label);
  });

  it("signs percentages without a misleading zero", () => {
    expect([0.5, -0.333, 0.001, 10].map(formatSignedPercent)).toEqual(["+50%", "−33%", "±0%", "+1000%"]);
  });
});

describe("decision effectiveness", () => {
  it("counts the scored decisions that improved the yield", () => {
    const improved = { outcome: { score: 0.2, improved: true, sufficient: true } };
    const worse = { outcome: { score: -0.1, improved: false, sufficient: true } };
    const unscorable = { outcome: { score: 0, improved: false, sufficient: false } };
    const events = [
      decision({ data: improved, score: 0.2 }),
      decision({ data: worse, score: -0.1 }),
      decision({ data: unscorable, score: 0 }),
      decision(),
      decision({ kind: "run.started" }),
    ];
    const e = effectivenessFromEvents(events);
    expect(e).toEqual({ decisions: 4, scored: 2, improved: 1, rate: 0.5 });
    expect(effectivenessText(e)).toBe("1 of 2 scored decisions improved the yield (50%).");
  });

  it("says why there is no rate yet", () => {
    expect(effectivenessText({ decisions: 0, scored: 0, improved: 0, rate: null })).toBe("No routing decision yet.");
    expect(effectivenessText({ decisions: 1, scored: 0, improved: 0, rate: null })).toMatch(/^1 routing decision, none scored yet/);
    expect(effectivenessText(null)).toBe("No routing decision yet.");
  });
});
