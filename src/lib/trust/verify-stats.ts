import type { TrustVerdict } from "./policy";
import type { Opinion } from "./verify-prompt";

/** What a run's verifier did (src/server/orchestrator/verify-queue.ts), shown with its trust summary. */
export type VerifyStats = {
  calls: number;
  failedCalls: number;
  checked: number;
  opinions: Record<Opinion, number>;
  verdicts: Record<TrustVerdict, number>;
  costUsd: number;
  /** Batches that waited because the side-call budget was spent. */
  budgetWaits: number;
  /** Rejected entries kept after all once proposed again (another model, another call). */
  restored: number;
};

export function emptyVerifyStats(): VerifyStats {
  return {
    calls: 0,
    failedCalls: 0,
    checked: 0,
    opinions: { yes: 0, no: 0, off: 0, unsure: 0 },
    verdicts: { verified: 0, rejected: 0, unsure: 0 },
    costUsd: 0,
    budgetWaits: 0,
    restored: 0,
  };
}
