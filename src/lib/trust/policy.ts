import type { Opinion } from "./verify-prompt";

/**
 * How support and verifiers' opinions combine into an entry's verdict. Pure.
 *
 * No single verifier is trusted: the simulated one is wrong on at least 5 % of invented names
 * and of real long-tail names (src/server/simulator/README.md, "Verification requests"), and
 * real ones are no better (L3X, Veseli et al.). So evidence is added up.
 *
 * Support first. An entry is "supported" when two or more models proposed it (an invention
 * comes from one model's gap) or one model proposed it in SUPPORTED_CALLS separate calls (a
 * model reproduces what it knows across samples while its inventions diverge: SelfCheckGPT,
 * Manakul et al. 2023, arXiv 2303.08896); support counts as one "yes". Then each opinion adds
 * yes +1, no -1, unsure 0, off -3 (the on-topic guard: a line about something else entirely is
 * the verifier's surest call, and one is enough). Two points either way decide; otherwise
 * another verifier (a different model when there is one) gives a second, then a third opinion.
 * The run's own base rate is the prior of an unsupported entry: once most of the recently checked
 * entries that only its model proposed were rejected, that model is inventing, and an entry it
 * alone proposed once starts at -1 (one "no" rejects it; a real one needs more confirmation).
 * After MAX_OPINIONS a positive sum is verified; otherwise an entry several models proposed stays
 * "unsure" (kept), and one a single model proposed, never confirmed, is rejected: that is where
 * inventions are. A rejected entry leaves output.txt; verified and unsure stay.
 */

export const TRUST_VERDICTS = ["verified", "rejected", "unsure"] as const;
export type TrustVerdict = (typeof TRUST_VERDICTS)[number];

/** Opinions asked per entry at most. */
export const MAX_OPINIONS = 3;

/** Share of rejections among the run's recent verdicts on single-model entries from which it is `inventing`. */
export const INVENTING_AT = 0.5;

/** Separate calls of one model that count as support (as a second model does). */
export const SUPPORTED_CALLS = 3;

const WEIGHT: Record<Opinion, number> = { yes: 1, no: -1, off: -3, unsure: 0 };

export type Evidence = {
  /** Distinct models that proposed the entry. */
  models: number;
  /**
   * Most of the recently checked entries that only this entry's model proposed were rejected
   * (INVENTING_AT): the model is past what it knows, and an entry it alone proposed once starts
   * one point down.
   */
  inventing?: boolean;
  /** Distinct calls that proposed it (1 when unknown). */
  calls?: number;
  /** The verifiers' opinions so far, oldest first. */
  opinions: readonly Opinion[];
};

/** Proposed by several models, or by one model in several calls. */
export function isSupported(e: Pick<Evidence, "models" | "calls">): boolean {
  return e.models >= 2 || (e.calls ?? 1) >= SUPPORTED_CALLS;
}

export function trustScore(e: Evidence): number {
  let score = isSupported(e) ? 1 : e.inventing && (e.calls ?? 1) <= 1 ? -1 : 0;
  for (const o of e.opinions) score += WEIGHT[o];
  return score;
}

/** The verdict the evidence supports, or null: ask another verifier. */
export function decide(e: Evidence, maxOpinions = MAX_OPINIONS): TrustVerdict | null {
  if (e.opinions.length === 0) return null;
  const score = trustScore(e);
  if (score >= 2) return "verified";
  if (score <= -2) return "rejected";
  if (e.opinions.length < maxOpinions) return null;
  if (score > 0) return "verified";
  return e.models >= 2 ? "unsure" : "rejected";
}

/**
 * The model to ask next about an entry: preferably one that did not propose it and was not
 * asked yet; `candidates` in order of preference. When every candidate proposed it (all the
 * run's models did: off-topic lines recur across models), the first candidate still checks it
 * for the on-topic guard. Null without candidates.
 */
export function nextVerifier(candidates: readonly string[], proposers: readonly string[], asked: readonly string[]): string | null {
  const allowed = candidates.filter((m) => !proposers.includes(m));
  if (allowed.length === 0) return candidates.find((m) => !asked.includes(m)) ?? candidates[0] ?? null;
  return allowed.find((m) => !asked.includes(m)) ?? allowed[0] ?? null;
}
