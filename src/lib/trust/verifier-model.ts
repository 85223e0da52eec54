import type { Opinion } from "./verify-prompt";

/**
 * How far each verifier's word goes, learnt from the run's own opinions: the Dawid-Skene model
 * (Dawid and Skene 1979, "Maximum likelihood estimation of observer error-rates using the EM
 * algorithm"), the classic way to combine noisy annotators without ground truth. Each entry is
 * real or not; each verifier answers yes / no / unsure with its own rates given the truth; each
 * kind of entry (which model proposed it, in how many calls, or several models) has its own
 * share of inventions. EM fits both from the opinions alone, so a verifier's "unsure" weighs what
 * it turns out to mean in this run, and a model that invents more is believed less without a
 * fixed threshold. Entries several models proposed anchor "real" (an invention comes from one
 * model's gap: src/lib/trust/policy.ts), which fixes which class is which. "off" (not about the
 * topic) is the on-topic guard's and is not modelled: one rejects (policy.ts). Pure.
 */

/** One entry as the model sees it: its kind and the opinions so far, in order. */
export type Observed = {
  /** Kind of entry (`kindOf`): its invention share is learnt per kind. */
  kind: string;
  /** Several models proposed it: counted as at most ANCHOR_INVENTED likely an invention when fitting. */
  anchor: boolean;
  asked: readonly string[];
  opinions: readonly Opinion[];
};

/** The kind of an entry: proposed by several models, or by one model in 1, 2 or 3+ calls. */
export function kindOf(models: readonly string[], calls: number): string {
  return models.length >= 2 ? "several" : `${models[0] ?? "?"}|${Math.min(3, Math.max(1, calls))}`;
}

const ANSWER = { yes: 0, no: 1, unsure: 2 } as const;
type Rates = readonly [number, number, number];

/** Before any fit: a verifier mostly right, a third of single-model entries invented. */
const PRIOR_REAL: Rates = [0.8, 0.1, 0.1];
const PRIOR_INVENTED: Rates = [0.1, 0.8, 0.1];
const PRIOR_SHARE = 0.3;
/** An entry several models proposed is at most this likely invented (the anchor). */
const ANCHOR_INVENTED = 0.05;
/** Opinions a verifier gave before its fitted rates are used to rank it. */
const MIN_RANKED = 50;
const ITERATIONS = 10;
/** Entries with opinions it is fitted to (the most recent), and how often it is refitted. */
const MAX_TRACKED = 20_000;
const REFIT_EVERY_OPINIONS = 200;

export class VerifierModel {
  private real = new Map<string, Rates>();
  private invented = new Map<string, Rates>();
  private share = new Map<string, number>();
  private counted = new Map<string, number>();
  private tracked: Observed[] = [];
  private sinceFit = 0;

  /** An entry that got its first opinion: fitted to from now on (its kind and opinions are read in place). */
  track(e: Observed): void {
    this.tracked.push(e);
    if (this.tracked.length > MAX_TRACKED * 1.25) this.tracked = this.tracked.slice(-MAX_TRACKED);
  }

  /** `n` more opinions were given: refitted to the tracked entries every REFIT_EVERY_OPINIONS. */
  opinionsGiven(n: number): void {
    this.sinceFit += n;
    if (this.sinceFit < REFIT_EVERY_OPINIONS) return;
    this.sinceFit = 0;
    this.fit(this.tracked);
  }

  /** Probability that the entry is not a real member, given its kind and opinions. */
  pInvented(e: Observed): number {
    if (e.opinions.includes("off")) return 1;
    const s = clamp(this.share.get(e.kind) ?? PRIOR_SHARE);
    let logit = Math.log(s / (1 - s));
    for (const [k, o] of e.opinions.entries()) {
      if (o === "off") continue;
      const v = e.asked[k] ?? "";
      logit += Math.log((this.invented.get(v) ?? PRIOR_INVENTED)[ANSWER[o]]) - Math.log((this.real.get(v) ?? PRIOR_REAL)[ANSWER[o]]);
    }
    return 1 / (1 + Math.exp(-logit));
  }

  /** Fits verifiers' rates and kinds' invention shares to these entries' opinions (EM). */
  fit(entries: readonly Observed[]): void {
    const seen = entries.filter((e) => e.opinions.length > 0 && !e.opinions.includes("off"));
    if (seen.length === 0) return;
    for (let it = 0; it < ITERATIONS; it++) {
      const q = seen.map((e) => (e.anchor ? Math.min(this.pInvented(e), ANCHOR_INVENTED) : this.pInvented(e)));
      const real = new Map<string, [number, number, number]>();
      const invented = new Map<string, [number, number, number]>();
      const kinds = new Map<string, [number, number]>();
      const counted = new Map<string, number>();
      for (const [k, e] of seen.entries()) {
        const p = q[k]!;
        const kind = kinds.get(e.kind) ?? [1, 2];
        kind[0] += p;
        kind[1] += 1;
        kinds.set(e.kind, kind);
        for (const [j, o] of e.opinions.entries()) {
          const v = e.asked[j] ?? "";
          const r = real.get(v) ?? [1, 1, 1];
          const f = invented.get(v) ?? [1, 1, 1];
          r[ANSWER[o as keyof typeof ANSWER]] += 1 - p;
          f[ANSWER[o as keyof typeof ANSWER]] += p;
          real.set(v, r);
          invented.set(v, f);
          counted.set(v, (counted.get(v) ?? 0) + 1);
        }
      }
      this.real = new Map([...real].map(([v, r]) => [v, normalise(r)]));
      this.invented = new Map([...invented].map(([v, f]) => [v, normalise(f)]));
      this.share = new Map([...kinds].map(([kind, [x, n]]) => [kind, x / n]));
      this.counted = counted;
    }
  }

  /**
   * How well a verifier tells real entries from inventions: the total variation between its
   * answers on each (0: its word carries nothing, 1: always right), or null before it gave
   * MIN_RANKED opinions.
   */
  discrimination(verifier: string): number | null {
    if ((this.counted.get(verifier) ?? 0) < MIN_RANKED) return null;
    const r = this.real.get(verifier)!;
    const f = this.invented.get(verifier)!;
    return 0.5 * (Math.abs(r[0] - f[0]) + Math.abs(r[1] - f[1]) + Math.abs(r[2] - f[2]));
  }

  /** The kind's learnt share of inventions (the prior of a new entry of that kind). */
  inventedShare(kind: string): number {
    return this.share.get(kind) ?? PRIOR_SHARE;
  }
}

function normalise(xs: readonly [number, number, number]): Rates {
  const t = xs[0] + xs[1] + xs[2];
  return [xs[0] / t, xs[1] / t, xs[2] / t];
}

function clamp(p: number): number {
  return Math.min(1 - 1e-6, Math.max(1e-6, p));
}
