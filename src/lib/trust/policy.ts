import type { Opinion } from "./verify-prompt";

/**
 * How support and verifiers' opinions combine into an entry's verdict. Pure.
 *
 * No single verifier is trusted: the simulated one is wrong on at least 5 % of invented names
 * and of real long-tail names (src/server/simulator/README.md, "Verification requests"), and
 * real ones are no better (L3X, Veseli et al.). So evidence is added up: support by two or more
 * models counts as one "yes" (an invention comes from one model's gap), each opinion adds
 * yes +1, no -1, off -2 (the on-topic guard: a line about something else entirely is the
 * verifier's surest call), unsure 0. Two points either way decide; otherwise another verifier
 * (a different model when there is one) gives a second, then a third opinion, and after
 * MAX_OPINIONS the sign decides, a tie being "unsure". A rejected entry leaves output.txt;
 * verified and unsure ones stay.
 */

export const TRUST_VERDICTS = ["verified", "rejected", "unsure"] as const;
export type TrustVerdict = (typeof TRUST_VERDICTS)[number];

/** Opinions asked per entry at most. */
export const MAX_OPINIONS = 3;

const WEIGHT: Record<Opinion, number> = { yes: 1, no: -1, off: -2, unsure: 0 };

export type Evidence = {
  /** Distinct models that proposed the entry. */
  models: number;
  /** The verifiers' opinions so far, oldest first. */
  opinions: readonly Opinion[];
};

export function trustScore(e: Evidence): number {
  let score = e.models >= 2 ? 1 : 0;
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
  return score > 0 ? "verified" : score < 0 ? "rejected" : "unsure";
}

/**
 * The model to ask next about an entry: never one that proposed it, preferably one not asked
 * yet; `candidates` in order of preference (the caller puts the best-informed first). Null
 * when every candidate proposed it.
 */
export function nextVerifier(candidates: readonly string[], proposers: readonly string[], asked: readonly string[]): string | null {
  const allowed = candidates.filter((m) => !proposers.includes(m));
  return allowed.find((m) => !asked.includes(m)) ?? allowed[0] ?? null;
}
