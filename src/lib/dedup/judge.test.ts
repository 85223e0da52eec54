import { describe, expect, it } from "vitest";
import { createDedupEngine, judgeBorderline, newJudgeLedger, type BorderlineJudge } from "./index";

function engineWith(entries: string[]) {
  const engine = createDedupEngine({ borderline: true });
  engine.acceptMany(entries);
  return engine;
}

describe("borderline judge", () => {
  it("merges when the judge says same, and counts calls and cost", async () => {
    const engine = engineWith(["Colombia"]);
    const asked: [string, string][] = [];
    const judge: BorderlineJudge = async (candidate, existing) => {
      asked.push([candidate, existing]);
      return { same: true, costUsd: 0.0002 };
    };
    const ledger = newJudgeLedger();
    const r = await judgeBorderline("Columbia", engine.check("Columbia"), judge, ledger);
    expect(r).toEqual({ unique: false, key: "columbia", duplicateOf: "Colombia", kind: "near", reason: "judged" });
    expect(asked).toEqual([["Columbia", "Colombia"]]);
    expect(ledger).toEqual({ calls: 1, merges: 1, costUsd: 0.0002 });
  });

  it("keeps the candidate unique when the judge says different, still counting the cost", async () => {
    const engine = engineWith(["Iceland"]);
    const ledger = newJudgeLedger();
    const r = await judgeBorderline("Ireland", engine.check("Ireland"), async () => ({ same: false, costUsd: 0.0001 }), ledger);
    expect(r).toEqual({ unique: true, key: "ireland" });
    expect(ledger).toEqual({ calls: 1, merges: 0, costUsd: 0.0001 });
  });

  it("asks nothing for clear verdicts and caps the calls per candidate", async () => {
    const engine = engineWith(["Eiffel Tower", "Kastrela Tower", "Kastrelo Tower", "Kastrelu Tower"]);
    const ledger = newJudgeLedger();
    const judge: BorderlineJudge = async () => ({ same: false, costUsd: 1 });
    expect(await judgeBorderline("Eiffel Tower", engine.check("Eiffel Tower"), judge, ledger)).toMatchObject({ unique: false, reason: "same-key" });
    expect(await judgeBorderline("Louvre", engine.check("Louvre"), judge, ledger)).toEqual({ unique: true, key: "louvre" });
    expect(ledger.calls).toBe(0);
    const close = engine.check("Kastreli Tower");
    expect(close.unique && close.borderline?.length).toBe(3);
    await judgeBorderline("Kastreli Tower", close, judge, ledger, 2);
    expect(ledger).toEqual({ calls: 2, merges: 0, costUsd: 2 });
  });

  it("lets a failing judge's error reach the caller", async () => {
    const engine = engineWith(["Iceland"]);
    const failing: BorderlineJudge = async () => {
      throw new Error("rate limited");
    };
    await expect(judgeBorderline("Ireland", engine.check("Ireland"), failing, newJudgeLedger())).rejects.toThrow("rate limited");
  });
});
