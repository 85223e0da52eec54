import type { CheckResult } from "./engine";

/**
 * The optional LLM judgement for the borderline band: pairs the index found close but a guard
 * kept apart (enable `borderline` on the engine). The caller supplies the judge, usually a
 * cheap model asked "same thing?"; this file only decides whom to ask and keeps the tally.
 */

export interface JudgeVerdict {
  same: boolean;
  /** What the call cost, counted in the ledger. */
  costUsd: number;
}

export type BorderlineJudge = (candidate: string, existing: string) => Promise<JudgeVerdict>;

export interface JudgeLedger {
  calls: number;
  merges: number;
  costUsd: number;
}

export function newJudgeLedger(): JudgeLedger {
  return { calls: 0, merges: 0, costUsd: 0 };
}

/**
 * Asks the judge about a unique result's borderline matches, closest first, at most `maxCalls`;
 * the first "same" turns the result into a near duplicate with reason "judged". Results without
 * a borderline band come back unchanged and cost nothing. A judge that throws propagates: the
 * caller decides whether to accept the candidate as unique.
 */
export async function judgeBorderline(
  candidate: string,
  result: CheckResult,
  judge: BorderlineJudge,
  ledger: JudgeLedger,
  maxCalls = 2,
): Promise<CheckResult> {
  if (!result.unique || !result.borderline) return result;
  for (const match of result.borderline.slice(0, maxCalls)) {
    const verdict = await judge(candidate, match.duplicateOf);
    ledger.calls++;
    ledger.costUsd += verdict.costUsd;
    if (verdict.same) {
      ledger.merges++;
      return { unique: false, key: result.key, duplicateOf: match.duplicateOf, kind: "near", reason: "judged" };
    }
  }
  return { unique: true, key: result.key };
}
