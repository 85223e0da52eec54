import type { Opinion } from "./verify-prompt";

/**
 * How support and verifiers' opinions combine into an entry's verdict. Pure.
 *
 * No single verifier is trusted: the simulated one is wrong on at least 5 % of invented names
 * and of real long-tail names (src/server/simulator/README.md, "Verification requests"), and
 * real ones are no better (L3X, Veseli et al.). So evidence is combined, as a probability.
 *
 * Support first. An entry is "supported" when two or more models proposed it (an invention
 * comes from one model's gap) or one model proposed it in SUPPORTED_CALLS separate calls (a
 * model reproduces what it knows across samples while its inventions diverge: SelfCheckGPT,
 * Manakul et al. 2023, arXiv 2303.08896). Each kind of entry (several models; one model in 1, 2,
 * 3+ calls, per model; one call whose answer mostly repeated its prompt's list apart) has its
 * own share of inventions, and each verifier its own rates of yes,
 * no and unsure on real entries it knows, real entries only their proposer knows, and
 * inventions: all are learnt from the run's opinions by verifier-model.ts (Dawid-Skene), so a
 * model that invents more is believed less and a verifier whose "unsure" means "never heard of
 * it" weighs as it turns out to. The probability that the
 * entry is invented decides: at most 1 - ACCEPT_AT verified, at least REJECT_AT rejected,
 * otherwise another verifier (a model that did not propose it, when there is one, and was not
 * asked yet: nextVerifier) is asked, up to MAX_OPINIONS or until no model is left.
 * Then an entry more likely real than not is verified; otherwise one several models proposed
 * stays "unsure" (kept) and one a single model proposed, never confirmed, is rejected: that is
 * where inventions are. One "off" (not about the topic at all) rejects: the on-topic guard, the
 * verifier's surest call. A rejected entry leaves output.txt; verified and unsure stay.
 *
 * Supported entries are asked less, since re-asking them bought little and cost recall
 * (bench:trust, trust-drain2-1..5: opinions after the first on them were 36-54 % of the spend,
 * caught 0-3 inventions a run and rejected 8-22 real members, 31-74 % of the recall cost):
 * - several models: decided by the first opinion (only "off" rejects; no entry several models
 *   proposed was rejected otherwise in those runs), then checked once more for the on-topic
 *   guard alone, when the budget allows (SEVERAL_OPINIONS);
 * - one model in SUPPORTED_CALLS+ calls: at most REPEATED_MAX_OPINIONS, rejected only when two
 *   say "no" and it is then more likely invented than not (a real name only its proposer knows
 *   gets "no" 15 % of the time from a verifier that does not know it, an invention 83 %:
 *   sim/verify.ts). Support grows while an entry waits: a rejected single-model entry proposed
 *   again, by another model or in another call, is decided again as the kind it has become
 *   (verify-queue.ts, recheckRejected). A tree run's prompts help it grow: none lists a
 *   rejected entry one call proposed, nor one only another model proposed (SupportBook.shownTo),
 *   so a model that knows the entry writes it unprompted, while an invention rarely comes back.
 *
 * Thresholds from bench:trust-policy (the simulator's verifier, a run's mix of entries, 10 % of
 * spend): 0.98 / 0.97 / 5 opinions kept 98.8 % real entries at 1.1 points of recall (99.2 %
 * with every entry checked), where the previous additive score (yes +1, no -1, two points either
 * way, 3 opinions) kept 91.6 % at 6.3 points, leaving 315 entries unchecked when the budget ran
 * out. On the real path (bench:trust, README "Precision and recall"): 1.0 point of recall.
 */

export const TRUST_VERDICTS = ["verified", "rejected", "unsure"] as const;
export type TrustVerdict = (typeof TRUST_VERDICTS)[number];

/** Opinions asked per entry at most. */
export const MAX_OPINIONS = 5;

/** Verified once at least this likely real. */
export const ACCEPT_AT = 0.98;
/** Rejected once at least this likely invented. */
export const REJECT_AT = 0.97;

/** Separate calls of one model that count as support (as a second model does). */
export const SUPPORTED_CALLS = 3;

/** Opinions asked at most about an entry one model proposed in SUPPORTED_CALLS calls or more. */
export const REPEATED_MAX_OPINIONS = 2;

/**
 * Opinions asked about an entry several models proposed: the first decides it; a second, from
 * another model and after every other opinion the queue has to ask, is the on-topic guard alone
 * (only "off" rejects it: wantsOnTopicCheck). Off-topic lines recur across models, so they are
 * several-model entries, and one verifier calls one a member about 1 % of the time
 * (sim/verify.ts); a run has ~20 of them, so one opinion let one through in about one run in
 * five (bench:trust: "Chocolate cake" in two runs). Two opinions make that ~1 in 500 runs.
 */
export const SEVERAL_OPINIONS = 2;

export type Evidence = {
  /** Distinct models that proposed the entry. */
  models: number;
  /** Distinct calls that proposed it (1 when unknown). */
  calls?: number;
  /** The verifiers' opinions so far, oldest first. */
  opinions: readonly Opinion[];
  /** Probability that it is invented, given its kind and these opinions (verifier-model.ts). */
  pInvented: number;
  /** Models not asked yet that may still be (nextVerifier); unknown: as many as the caps allow. */
  moreVerifiers?: number;
};

/** Proposed by several models, or by one model in several calls. */
export function isSupported(e: Pick<Evidence, "models" | "calls">): boolean {
  return e.models >= 2 || (e.calls ?? 1) >= SUPPORTED_CALLS;
}

/** The verdict the evidence supports, or null: ask another verifier. */
export function decide(e: Evidence, maxOpinions = MAX_OPINIONS): TrustVerdict | null {
  if (e.opinions.length === 0) return null;
  if (e.opinions.includes("off")) return "rejected";
  const several = e.models >= 2;
  const repeated = !several && (e.calls ?? 1) >= SUPPORTED_CALLS;
  if (e.pInvented <= 1 - ACCEPT_AT) return "verified";
  if (e.pInvented >= REJECT_AT && !several && !repeated) return "rejected";
  const cap = Math.min(maxOpinions, several ? 1 : repeated ? REPEATED_MAX_OPINIONS : MAX_OPINIONS, e.opinions.length + (e.moreVerifiers ?? MAX_OPINIONS));
  if (e.opinions.length < cap) return null;
  if (repeated) {
    // Rejected only when two verifiers said no and that makes it more likely invented (with its
    // kind's share of inventions); two "no" on a kind that hardly invents keep it, unconfirmed.
    const noes = e.opinions.filter((o) => o === "no").length;
    if (noes >= 2) return e.pInvented >= 0.5 ? "rejected" : "unsure";
    return e.pInvented < 0.5 ? "verified" : "unsure";
  }
  if (e.pInvented < 0.5) return "verified";
  return several ? "unsure" : "rejected";
}

/**
 * Whether an entry just kept on its first opinion gets one more, later: one several models
 * proposed, for the on-topic guard (SEVERAL_OPINIONS). The second can only reject it ("off").
 */
export function wantsOnTopicCheck(e: Pick<Evidence, "models" | "opinions" | "moreVerifiers">, verdict: TrustVerdict): boolean {
  return verdict !== "rejected" && e.models >= 2 && e.opinions.length < SEVERAL_OPINIONS && (e.moreVerifiers ?? 1) > 0;
}

/**
 * The model to ask next about an entry: one that did not propose it and was not asked yet;
 * `candidates` in order of preference. When every candidate proposed it (all the run's models
 * did: off-topic lines recur across models), one not asked yet still checks it for the on-topic
 * guard. Null when none is left: a model is never asked twice about one entry, since asked
 * again it mostly repeats itself, wrong answers included (src/server/simulator/README.md,
 * `reaskSame`), while the verifier model counts each opinion as new evidence. With re-asks,
 * bench:trust-policy kept 93.2 % real entries at 2.9 points of recall; without, 94.3 % at 2.7.
 */
export function nextVerifier(candidates: readonly string[], proposers: readonly string[], asked: readonly string[]): string | null {
  return unaskedVerifiers(candidates, proposers, asked)[0] ?? null;
}

/** Every model nextVerifier could still offer for an entry, in order (its length is decide's `moreVerifiers`). */
export function unaskedVerifiers(candidates: readonly string[], proposers: readonly string[], asked: readonly string[]): string[] {
  const allowed = candidates.filter((m) => !proposers.includes(m));
  return (allowed.length > 0 ? allowed : candidates).filter((m) => !asked.includes(m));
}
