/**
 * Precision per tree branch, from verification verdicts: once models have exhausted what they
 * know in a branch, most of what they add there is invented, and every invention looks like a
 * new entry (so the branch's yield never falls and exploration would keep asking). When half of
 * a branch's recent verdicts on entries only one model proposed are rejections, it is
 * saturated: generate for recall, verify for precision, and stop generating where verification
 * says the list has run out (L3X). Entries several models proposed are left out: they are
 * checked first and almost all kept, so counting them hid a branch's inventions until the
 * budget reached them.
 */
export const BRANCH_WINDOW = 20;
/** Verdicts before a branch is judged. */
export const MIN_VERDICTS = 10;
/** Share of rejected entries among a branch's recent verdicts (single-model entries) that saturates it. */
export const SATURATE_AT_REJECTED = 0.5;

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
