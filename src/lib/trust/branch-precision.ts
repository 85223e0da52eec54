/**
 * Precision per tree branch, from verification verdicts: once models have exhausted what they
 * know in a branch, most of what they add there is invented, and every invention looks like a
 * new entry (so the branch's yield never falls and exploration would keep asking). When a
 * branch's recent verdicts are mostly rejections, it is saturated: generate for recall, verify
 * for precision, and stop generating where verification says the list has run out (L3X).
 */
export const BRANCH_WINDOW = 20;
/** Verdicts before a branch is judged. */
export const MIN_VERDICTS = 10;
/** Share of rejected entries among a branch's recent verdicts that saturates it. */
export const SATURATE_AT_REJECTED = 0.3;

export class BranchPrecision {
  private readonly recent = new Map<number, boolean[]>();

  /** Records one verdict on an entry a call on `branchId` found; returns the rejected share when the branch should be saturated. */
  record(branchId: number, rejected: boolean): number | null {
    let r = this.recent.get(branchId);
    if (r === undefined) this.recent.set(branchId, (r = []));
    r.push(rejected);
    if (r.length > BRANCH_WINDOW) r.shift();
    if (r.length < MIN_VERDICTS) return null;
    const share = r.filter(Boolean).length / r.length;
    return share >= SATURATE_AT_REJECTED ? share : null;
  }
}
