import type { Opinion } from "./verify-prompt";

/**
 * How far each verifier's word goes, learnt from the run's own opinions: the Dawid-Skene model
 * (Dawid and Skene 1979, "Maximum likelihood estimation of observer error-rates using the EM
 * algorithm"), the classic way to combine noisy annotators without ground truth. Each entry is
 * real (known, or little known) or invented; each verifier answers yes / no / unsure with its own rates given the truth; each
 * kind of entry (which model proposed it, in how many calls, or several models) has its own
 * share of inventions. EM fits both from the opinions alone, so a verifier's "unsure" weighs what
 * it turns out to mean in this run, and a model that invents more is believed less without a
 * fixed threshold. Entries several models proposed anchor "real" (an invention comes from one
 * model's gap: src/lib/trust/policy.ts), which fixes which class is which. "off" (not about the
 * topic) is the on-topic guard's and is not modelled: one rejects (policy.ts). Pure.
 *
 * Two kinds of real entry are told apart (CLASSES): one the verifiers know and one only its
 * proposer knows, since a verifier answers very differently about each.
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

/**
 * The kind of an entry: proposed by several models, or by one model in 1, 2 or 3+ calls; an
 * entry one call proposed is a kind apart when that answer repeated much of its prompt's list
 * (`repeating`: answer-trust.ts isRepeatingAnswer), since a model that has run out pads with
 * inventions. Each kind's share of inventions is learnt from the opinions, so where repeating
 * says nothing (a real model that repeats while it still knows more) the two shares come out
 * alike and the split changes nothing.
 */
export function kindOf(models: readonly string[], calls: number, repeating = false): string {
  if (models.length >= 2) return "several";
  const n = Math.min(3, Math.max(1, calls));
  return `${models[0] ?? "?"}|${n}${n === 1 && repeating ? "r" : ""}`;
}

const ANSWER = { yes: 0, no: 1, unsure: 2 } as const;
type Rates = readonly [number, number, number];

/**
 * The classes: a real entry the verifiers know, a real entry only its proposer knows (a verifier
 * that does not know a name answers "unsure" or "no" far more often: had the other models known
 * it, they would likely have proposed it too), and an invention. Two classes cannot hold the
 * middle one: with real and invented only, EM put the invention share of a strong model's
 * single-call entries at twice the truth (bench:trust, verifierModel: 0.19-0.22 learnt,
 * 0.10-0.12 true), and the rejections that followed cost 6 points of recall.
 */
const CLASSES = 3;
const INVENTED = 2;
/** Where EM starts (it only has to tell the classes apart; the run's opinions move them). */
const START_RATES: readonly Rates[] = [
  [0.85, 0.05, 0.1],
  [0.45, 0.2, 0.35],
  [0.1, 0.8, 0.1],
];
const START_SHARE: readonly number[] = [0.4, 0.3, 0.3];
/**
 * When the invented class has lost its meaning: a verifier calls its members real this often.
 * On a large real-name topic whose early entries were nearly all real (ISO 3166-2
 * subdivisions), EM gave the class to real long-tail names (a "yes" rate of 0.55 learnt for
 * inventions, 0.06 in a run where it did not) and 291 real members were rejected (bench:trust,
 * README "Precision and recall"). The documented rate is 7 % (sim/verify.ts).
 */
const LOST_INVENTED_YES = 0.35;
/**
 * Then the fit is redone from the start, each verifier's invented rates starting from this many
 * pseudo-opinions at START_RATES (the real classes from one per answer, as always), so the class
 * keeps meaning "an invention, mostly called not real" until the run's own inventions outweigh
 * them. Not on every fit: on the generated topics, whose inventions are many, it cost precision
 * (bench:trust, default topic: 98.06 / 96.80 % against 98.43-98.73 % without).
 */
const INVENTED_PRIOR_OPINIONS = 30;
/** An entry several models proposed is at most this likely invented (the anchor). */
const ANCHOR_INVENTED = 0.05;
/** Opinions a verifier gave before its fitted rates are used to rank it. */
const MIN_RANKED = 50;
const ITERATIONS = 10;
/** Entries with opinions it is fitted to (the most recent), and how often it is refitted. */
const MAX_TRACKED = 20_000;
const REFIT_EVERY_OPINIONS = 200;

export class VerifierModel {
  /** Per verifier, its rates of yes / no / unsure in each class. */
  private rates = new Map<string, readonly Rates[]>();
  /** Per kind of entry, the share of each class. */
  private share = new Map<string, readonly number[]>();
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
    return this.posterior(e)[INVENTED]!;
  }

  /**
   * Fits verifiers' rates and kinds' class shares to these entries' opinions (EM). Entries alike
   * (kind, anchor, who said what, in order) have one posterior, so EM runs over the distinct ones
   * with their counts: the same fit, 4x faster (20,000 entries of 1-3 opinions: 25 ms, 107 ms before; it runs on
   * the server's event loop every REFIT_EVERY_OPINIONS).
   */
  fit(entries: readonly Observed[]): void {
    const alike = new Map<string, { e: Observed; n: number }>();
    for (const e of entries) {
      if (e.opinions.length === 0 || e.opinions.includes("off")) continue;
      let key = `${e.kind}\u0000${e.anchor ? 1 : 0}`;
      for (const [j, o] of e.opinions.entries()) key += `\u0000${e.asked[j] ?? ""}\u0000${o}`;
      const group = alike.get(key);
      if (group) group.n++;
      else alike.set(key, { e, n: 1 });
    }
    if (alike.size === 0) return;
    const groups = [...alike.values()];
    this.em(groups, 0);
    if ([...this.rates.values()].some((r) => r[INVENTED]![ANSWER.yes]! > LOST_INVENTED_YES)) {
      this.rates = new Map();
      this.share = new Map();
      this.em(groups, INVENTED_PRIOR_OPINIONS);
    }
  }

  /** ITERATIONS of EM over the distinct entries, the invented class's rates held by `priorOpinions` pseudo-opinions. */
  private em(alike: ReadonlyArray<{ e: Observed; n: number }>, priorOpinions: number): void {
    for (let it = 0; it < ITERATIONS; it++) {
      const rates = new Map<string, number[][]>();
      const kinds = new Map<string, number[]>();
      const counted = new Map<string, number>();
      for (const { e, n } of alike) {
        const q = this.posterior(e);
        if (e.anchor && q[INVENTED]! > ANCHOR_INVENTED) {
          const rest = 1 - q[INVENTED]!;
          for (let c = 0; c < CLASSES; c++)
            q[c] = c === INVENTED ? ANCHOR_INVENTED : rest > 0 ? (q[c]! * (1 - ANCHOR_INVENTED)) / rest : (1 - ANCHOR_INVENTED) / 2;
        }
        const kind = kinds.get(e.kind) ?? [1, 1, 1];
        for (let c = 0; c < CLASSES; c++) kind[c]! += n * q[c]!;
        kinds.set(e.kind, kind);
        for (const [j, o] of e.opinions.entries()) {
          const v = e.asked[j] ?? "";
          const r = rates.get(v) ?? START_RATES.map((row, c) => (c === INVENTED && priorOpinions > 0 ? row.map((x) => x * priorOpinions) : [1, 1, 1]));
          for (let c = 0; c < CLASSES; c++) r[c]![ANSWER[o as keyof typeof ANSWER]]! += n * q[c]!;
          rates.set(v, r);
          counted.set(v, (counted.get(v) ?? 0) + n);
        }
      }
      this.rates = new Map([...rates].map(([v, r]) => [v, r.map((row) => normalise(row as [number, number, number]))]));
      this.share = new Map([...kinds].map(([k, xs]) => [k, normalise(xs as [number, number, number])]));
      this.counted = counted;
    }
  }

  /**
   * How well a verifier tells a real entry only its proposer knows from an invention (what an
   * unsupported entry is one of): the total variation between its answers on each (0: its word
   * carries nothing, 1: always right), or null before it gave MIN_RANKED opinions.
   */
  discrimination(verifier: string): number | null {
    if ((this.counted.get(verifier) ?? 0) < MIN_RANKED) return null;
    const r = this.rates.get(verifier)!;
    return 0.5 * [0, 1, 2].reduce((a, k) => a + Math.abs(r[1]![k]! - r[INVENTED]![k]!), 0);
  }

  /** The learnt rates (yes, no, unsure) per verifier in each class, rounded: for reports. */
  describe(): Record<string, { known: number[]; littleKnown: number[]; invented: number[] }> {
    const r3 = (xs: Rates) => xs.map((x) => Math.round(x * 1000) / 1000);
    return Object.fromEntries([...this.rates].map(([v, r]) => [v, { known: r3(r[0]!), littleKnown: r3(r[1]!), invented: r3(r[2]!) }]));
  }

  /** The kind's learnt share of inventions (the prior of a new entry of that kind). */
  inventedShare(kind: string): number {
    return (this.share.get(kind) ?? START_SHARE)[INVENTED]!;
  }

  /** Every fitted kind's learnt share of inventions, rounded: for reports. */
  inventedShares(): Record<string, number> {
    return Object.fromEntries([...this.share].map(([k, xs]) => [k, Math.round(xs[INVENTED]! * 1000) / 1000]));
  }

  private posterior(e: Observed): number[] {
    const share = this.share.get(e.kind) ?? START_SHARE;
    const log = share.map((x) => Math.log(Math.max(1e-9, x)));
    for (const [k, o] of e.opinions.entries()) {
      if (o === "off") continue;
      const r = this.rates.get(e.asked[k] ?? "") ?? START_RATES;
      for (let c = 0; c < CLASSES; c++) log[c]! += Math.log(r[c]![ANSWER[o]]);
    }
    const top = Math.max(...log);
    const w = log.map((x) => Math.exp(x - top));
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  }
}

function normalise(xs: readonly [number, number, number]): Rates {
  const t = xs[0] + xs[1] + xs[2];
  return [xs[0] / t, xs[1] / t, xs[2] / t];
}
