import { RecentPrecision } from "../trust/recent-precision";
import { armKey, parseArmKey, type ArmEvidence, type ArmKey } from "./allocate";

/**
 * Precision per arm (model x branch), from verification verdicts on the entries that arm's
 * calls found. Inventions are per model: a model that has exhausted what it knows in a branch
 * invents there (WikiProfile, KITAB) while a model that knows more still finds real members,
 * so a branch-wide figure (branch-precision.ts) either saturates the branch for everyone or
 * lets the inventing model keep spending there. The allocator counts an arm's new entries
 * times its precision (expected true new entries), and an arm whose discounted yield per dollar
 * falls below the floor is paused. An entry counts for the arm of its first proposer's call,
 * entries several models proposed too (they are almost all kept, and they are part of the
 * arm's new entries the precision multiplies).
 */
export const ARM_WINDOW = 12;
/** Pseudo-verdicts, all kept, before an arm's own: an arm without verdicts counts as precise. */
export const PRIOR_KEPT = 2;
/** An arm's own verdicts before it may be paused. */
export const MIN_VERDICTS_TO_PAUSE = 6;
/** An arm is paused only if most of what it adds is rejected (low yield alone is saturation's job). */
export const PAUSE_BELOW_PRECISION = 0.5;
/**
 * The floor: an arm is paused when its expected true new entries per dollar fall below this
 * share of its model's new entries per dollar over all its arms. Per model, so an expensive
 * model is not paused for its price (the allocation weighs models against each other).
 */
export const PAUSE_BELOW_SHARE_OF_MODEL = 0.3;

export type ArmPause = { model: string; branchId: number; precision: number; verdicts: number; yieldPerUsd: number; floorPerUsd: number };

export class ArmPrecision {
  private readonly recent = new RecentPrecision(ARM_WINDOW, PRIOR_KEPT);
  private readonly paused = new Set<ArmKey>();

  record(model: string, branchId: number, kept: boolean): void {
    this.recent.record(armKey(model, branchId), kept);
  }

  /** Share of the arm's recent entries verification kept, with the prior. */
  precision(key: ArmKey): number {
    return this.recent.precision(key);
  }

  verdicts(key: ArmKey): number {
    return this.recent.verdicts(key);
  }

  isPaused(key: ArmKey): boolean {
    return this.paused.has(key);
  }

  /**
   * Pauses `key` when its verdicts say it mostly invents and its precision-discounted yield per
   * dollar is below the floor; returns the pause (once per arm), null otherwise. A pause lasts:
   * a paused arm makes no calls, so no new evidence could lift it.
   */
  considerPause(key: ArmKey, evidence: (key: ArmKey) => ArmEvidence | undefined, keys: readonly ArmKey[]): ArmPause | null {
    if (this.paused.has(key)) return null;
    const n = this.verdicts(key);
    const precision = this.precision(key);
    const e = evidence(key);
    if (n < MIN_VERDICTS_TO_PAUSE || precision >= PAUSE_BELOW_PRECISION || !e || e.costUsd <= 0) return null;
    const { model, branchId } = parseArmKey(key);
    let items = 0;
    let cost = 0;
    for (const k of keys) {
      if (parseArmKey(k).model !== model) continue;
      const m = evidence(k);
      if (m) {
        items += m.itemsNew;
        cost += m.costUsd;
      }
    }
    if (cost <= 0) return null;
    const yieldPerUsd = (e.itemsNew * precision) / e.costUsd;
    const floorPerUsd = (PAUSE_BELOW_SHARE_OF_MODEL * items) / cost;
    if (yieldPerUsd >= floorPerUsd) return null;
    this.paused.add(key);
    return { model, branchId, precision, verdicts: n, yieldPerUsd, floorPerUsd };
  }
}

/** The logged event of a pause: model, branch, precision and yield. */
export function armPauseEvent(p: ArmPause, branchLabel: string): { message: string; data: Record<string, unknown> } {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    message: `${p.model} paused in "${branchLabel}": verification kept ${Math.round(p.precision * 100)} % of its recent entries there (${p.verdicts} verdicts), ${round(p.yieldPerUsd)} expected true new entries per $ below the floor of ${round(p.floorPerUsd)}`,
    data: { ...p, precision: round(p.precision), yieldPerUsd: round(p.yieldPerUsd), floorPerUsd: round(p.floorPerUsd) },
  };
}
