import { describe, expect, it } from "vitest";
import { buildJudgePrompt, parseJudgePrompt, parseJudgeVerdicts, type JudgePair } from "../dedup/judge";
import { SIM_JUDGE_ERROR_RATE, simJudgeAnswer, simJudgeDecision, universeIdentify } from "./judge";
import { applyNoise } from "./noise";
import { Rng } from "./prng";
import { generateUniverse } from "./universe";

describe("simulated judge", () => {
  const universe = generateUniverse("famous bridges", 500, 0);
  const identify = universeIdentify(universe);
  const a = universe.items[3]!;
  const b = universe.items[4]!;

  it("says same for surface variants of one universe item and different otherwise, without errors at rate 0", () => {
    const rng = new Rng(1);
    const variant = applyNoise(a, "uppercase", rng);
    expect(simJudgeDecision({ id: "p1", candidate: variant, entry: a }, identify, 0, rng)).toBe("same");
    expect(simJudgeDecision({ id: "p2", candidate: b, entry: a }, identify, 0, rng)).toBe("different");
    // A misspelling of one item is recognised, as a model would.
    const typo = a.length > 6 ? a.slice(0, 3) + a[4] + a[3] + a.slice(5) : `${a}x`;
    expect(simJudgeDecision({ id: "p4", candidate: typo, entry: a }, identify, 0, rng)).toBe("same");
    // A text it cannot place is never "the same" as anything.
    expect(simJudgeDecision({ id: "p3", candidate: "Zzyzx Qwerty", entry: "Zzyzx Qwerty" }, identify, 0, rng)).toBe("different");
  });

  it("errs at its error rate, each way", () => {
    const rng = new Rng(2);
    const n = 20_000;
    let flippedSame = 0;
    let flippedDifferent = 0;
    for (let i = 0; i < n; i++) {
      if (simJudgeDecision({ id: "p", candidate: a.toLowerCase(), entry: a }, identify, 0.1, rng) === "different") flippedSame++;
      if (simJudgeDecision({ id: "p", candidate: b, entry: a }, identify, 0.1, rng) === "same") flippedDifferent++;
    }
    expect(flippedSame / n).toBeGreaterThan(0.09);
    expect(flippedSame / n).toBeLessThan(0.11);
    expect(flippedDifferent / n).toBeGreaterThan(0.09);
    expect(flippedDifferent / n).toBeLessThan(0.11);
    expect(SIM_JUDGE_ERROR_RATE).toBeGreaterThan(0);
  });

  it("answers a whole request in a format the judge parser reads, in every style it uses", () => {
    const pairs: JudgePair[] = Array.from({ length: 30 }, (_, i) => ({
      id: `p${i + 1}`,
      candidate: i % 2 === 0 ? universe.items[i]!.toLowerCase() : universe.items[i]!,
      entry: universe.items[i % 2 === 0 ? i : i + 1]!,
    }));
    const prompt = buildJudgePrompt({ topic: "famous bridges", pairs });
    const request = parseJudgePrompt([prompt.system, prompt.user])!;
    for (let seed = 0; seed < 12; seed++) {
      const answer = simJudgeAnswer(request, identify, 0, new Rng(seed));
      const verdicts = parseJudgeVerdicts(
        answer.text,
        pairs.map((p) => p.id),
      );
      expect(verdicts.size, answer.text).toBe(pairs.length);
      pairs.forEach((p, i) => expect(verdicts.get(p.id)).toBe(i % 2 === 0 ? "same" : "different"));
    }
  });
});
