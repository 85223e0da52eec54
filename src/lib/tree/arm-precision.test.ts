import { describe, expect, it } from "vitest";
import { seededRng } from "../stats/math";
import { allocate, ArmStats, armKey } from "./allocate";
import { ARM_WINDOW, ArmPrecision, MIN_VERDICTS_TO_PAUSE, PRIOR_KEPT } from "./arm-precision";
import { TopicTree } from "./tree";

const STRONG = "sim:sim-strong";
const WEAK = "sim:sim-weak";

/** Two models with the same yield and price in two branches: 10 new entries per call. */
function evenArms(): { tree: TopicTree; stats: ArmStats } {
  const tree = new TopicTree("Medieval castles of Europe");
  tree.addSubtopics(0, ["Castles of France", "Castles of Wales"], "breakdown-1");
  const stats = new ArmStats();
  for (const m of [STRONG, WEAK])
    for (const b of [1, 2]) for (let i = 0; i < 4; i++) stats.observe(armKey(m, b), { itemsNew: 10, latencyMs: 5_000, costUsd: 0.001 });
  for (const b of [1, 2]) for (let i = 0; i < 4; i++) tree.recordCall(b, { newEntries: [`e${b}-${i}`], reproposed: [], tokens: 100, costUsd: 0.001 });
  return { tree, stats };
}

describe("precision per arm (model x branch)", () => {
  it("counts an arm without verdicts as precise, and follows its recent verdicts within a window", () => {
    const p = new ArmPrecision();
    expect(p.precision(armKey(WEAK, 1))).toBe(1);
    for (let i = 0; i < 4; i++) p.record(WEAK, 1, false);
    expect(p.precision(armKey(WEAK, 1))).toBeCloseTo(PRIOR_KEPT / (4 + PRIOR_KEPT));
    // Another model in the same branch, and the same model in another branch, are other arms.
    expect(p.precision(armKey(STRONG, 1))).toBe(1);
    expect(p.precision(armKey(WEAK, 2))).toBe(1);
    // Kept verdicts age the rejections out of the window.
    for (let i = 0; i < ARM_WINDOW; i++) p.record(WEAK, 1, true);
    expect(p.precision(armKey(WEAK, 1))).toBe(1);
    expect(p.verdicts(armKey(WEAK, 1))).toBe(ARM_WINDOW);
  });

  it("moves a model's calls away from the branch where it invents, while the other model keeps it", () => {
    const { tree, stats } = evenArms();
    const p = new ArmPrecision();
    for (let i = 0; i < ARM_WINDOW; i++) {
      p.record(WEAK, 1, i % 5 === 0);
      p.record(STRONG, 1, true);
    }
    const share = (trust: ArmPrecision | undefined, arm: string) => {
      let w = 0;
      for (let seed = 1; seed <= 20; seed++) w += allocate(tree, [STRONG, WEAK], stats, seededRng(seed), {}, trust).weights.get(arm)! / 20;
      return w;
    };
    // Without verdicts the four arms are alike; with them, sim-weak in branch 1 falls behind
    // its own arm in branch 2 and behind sim-strong in branch 1.
    expect(share(undefined, armKey(WEAK, 1))).toBeGreaterThan(share(undefined, armKey(WEAK, 2)) * 0.6);
    expect(share(p, armKey(WEAK, 1))).toBeLessThan(share(p, armKey(WEAK, 2)) / 2);
    expect(share(p, armKey(WEAK, 1))).toBeLessThan(share(p, armKey(STRONG, 1)) / 2);
  });

  it("pauses an arm that mostly invents, once, not before enough verdicts, never a precise one; a paused arm gets no calls", () => {
    const { tree, stats } = evenArms();
    const p = new ArmPrecision();
    const weakArms = [0, 1, 2].map((b) => armKey(WEAK, b));
    const consider = (model: string, b: number) =>
      p.considerPause(
        armKey(model, b),
        (k) => stats.get(k),
        [0, 1, 2].map((x) => armKey(model, x)),
      );
    for (let i = 0; i < MIN_VERDICTS_TO_PAUSE - 1; i++) {
      p.record(WEAK, 1, false);
      expect(consider(WEAK, 1)).toBeNull();
    }
    p.record(WEAK, 1, false);
    const pause = consider(WEAK, 1);
    expect(pause).toMatchObject({ model: WEAK, branchId: 1, verdicts: MIN_VERDICTS_TO_PAUSE });
    expect(pause!.yieldPerUsd).toBeLessThan(pause!.floorPerUsd);
    expect(consider(WEAK, 1)).toBeNull();
    expect(p.isPaused(weakArms[1]!)).toBe(true);
    // A precise arm is never paused, whatever its yield.
    for (let i = 0; i < ARM_WINDOW; i++) p.record(STRONG, 2, true);
    expect(consider(STRONG, 2)).toBeNull();
    // One rejection in three: discounted, not paused.
    for (let i = 0; i < ARM_WINDOW; i++) p.record(WEAK, 2, i % 3 !== 0);
    expect(consider(WEAK, 2)).toBeNull();
    for (let seed = 1; seed <= 20; seed++) {
      const { weights } = allocate(tree, [STRONG, WEAK], stats, seededRng(seed), {}, p);
      expect(weights.has(armKey(WEAK, 1))).toBe(false);
      expect(weights.get(armKey(STRONG, 1))).toBeGreaterThan(0);
    }
  });

  it("does not pause a cheap arm that invents less than the floor allows for its yield", () => {
    const tree = new TopicTree("Medieval castles of Europe");
    tree.addSubtopics(0, ["Castles of France", "Castles of Wales"], "breakdown-1");
    const stats = new ArmStats();
    // Branch 1 yields 10x what branch 2 does for this model: precision 0.4 there still beats the floor.
    for (let i = 0; i < 4; i++) {
      stats.observe(armKey(WEAK, 1), { itemsNew: 30, latencyMs: 5_000, costUsd: 0.001 });
      stats.observe(armKey(WEAK, 2), { itemsNew: 3, latencyMs: 5_000, costUsd: 0.001 });
    }
    const p = new ArmPrecision();
    for (let i = 0; i < ARM_WINDOW; i++) p.record(WEAK, 1, i % 2 === 0 && i < 8);
    expect(p.precision(armKey(WEAK, 1))).toBeLessThan(0.5);
    expect(
      p.considerPause(
        armKey(WEAK, 1),
        (k) => stats.get(k),
        [1, 2].map((b) => armKey(WEAK, b)),
      ),
    ).toBeNull();
  });
});
