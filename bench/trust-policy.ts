/**
 * npm run bench:trust-policy — how verification policies trade precision, recall and spend,
 * offline and in seconds. The simulator's own verifier (src/lib/sim/verify.ts: its documented
 * rates, each model's knowledge of the universe) answers about a population of entries shaped
 * like a 5-producer run's (bench/results/trust-on-10min.json: single-model entries by truth and
 * calls, 801 inventions of 2,205 entries, mostly the weak model's; 800 entries several models
 * proposed; 20 off-topic lines), in a random commit order, and each policy decides. The budget
 * is verification's share of spend (SHARE, default 0.1; 1 = verify everything), against the
 * production spend of that run. Opinions on one entry are correlated as the simulator's are
 * (`reaskSame`, `sharedView`; VERIFIER='{"reaskSame":0,"sharedView":0}' draws each afresh, as the
 * simulator did before). New entries are served as the queue serves them: by value
 * (ORDER=commit: in commit order). No network, no database: this chooses between policies;
 * `npm run bench:trust` measures the product on the real path.
 *
 * Policies:
 * - support only (the simple reference, no verification): keep what several models, or one model
 *   in 3 calls, proposed.
 * - additive score (the product before this bench): yes +1, no -1, off -3, support +1, one point
 *   down for a model whose recent single-model entries are mostly rejected; two points decide;
 *   3 opinions; best-informed verifier first.
 * - product: src/lib/trust/policy.ts `decide` on src/lib/trust/verifier-model.ts's posterior
 *   (Dawid-Skene, refitted every 200 opinions), verifiers by src/lib/trust/verifier-choice.ts.
 * Seeds 1-3; means. Figures: bench/results/trust-policy.json.
 */
import { writeResults } from "./lib/results";
import { SimEngine } from "../src/lib/sim/engine";
import { SIM_MODEL_PROFILES } from "../src/lib/sim/models";
import { Rng } from "../src/lib/sim/prng";
import { canonicalTopic, knownRanks } from "../src/lib/sim/universe";
import { DEFAULT_VERIFIER_RATES, simOpinion, type Truth } from "../src/lib/sim/verify";
import { decide, isSupported, MAX_OPINIONS, nextVerifier, type TrustVerdict, wantsOnTopicCheck } from "../src/lib/trust/policy";
import { byValue } from "../src/lib/trust/verifier-choice";
import { kindOf, VerifierModel } from "../src/lib/trust/verifier-model";
import type { Opinion } from "../src/lib/trust/verify-prompt";

const TOPIC = "Medieval castles of Europe";
const MODELS = ["sim-strong", "sim-weak", "sim-claude"] as const;
type Model = (typeof MODELS)[number];
/** USD per opinion, as bench:trust measured it with 200-entry batches (verifyByModel: usd / opinions). */
const OPINION_USD: Record<Model, number> = { "sim-strong": 2.74e-6, "sim-weak": 7.9e-7, "sim-claude": 7.9e-6 };
/** Producer spend of the run the population is shaped after. */
const PRODUCTION_USD = 0.092;
const SHARE = Number(process.env.SHARE ?? 0.1);
const SEEDS = [1, 2, 3];
/** The simulated verifier's rates; VERIFIER (JSON) overrides some, e.g. {"reaskSame":0,"sharedView":0} for independent opinions. */
const RATES = { ...DEFAULT_VERIFIER_RATES, ...(process.env.VERIFIER ? (JSON.parse(process.env.VERIFIER) as Partial<typeof DEFAULT_VERIFIER_RATES>) : {}) };
/** ORDER=commit: new entries served in commit order, as the queue did before it served them by value. */
const ORDER = process.env.ORDER === "commit" ? "commit" : "value";
const RESULTS = process.env.BENCH_RESULTS ?? `trust-policy-share-${SHARE}${ORDER === "commit" ? "-commit" : ""}`;

type Item = { id: number; truth: Truth; proposers: Model[]; calls: number; asked: Model[]; opinions: Opinion[] };

type Policy = {
  name: string;
  /** A run begins (state of its own). */
  start: () => {
    /** Next verifier, or null: no more opinions. */
    next: (i: Item) => Model | null;
    /** After an opinion; `last`: no more will come. */
    decide: (i: Item, last: boolean) => TrustVerdict | null;
    /** Entries kept on one opinion that get one more, for the on-topic guard alone (policy.ts wantsOnTopicCheck). */
    onTopicCheck?: (i: Item, verdict: TrustVerdict) => boolean;
    /** Every opinion given so far (for a policy that learns). */
    observe?: (all: readonly Item[]) => void;
    /** What a first check of the entry is worth per dollar (the queue serves new entries by it: verifier-choice.ts sortForService); none: commit order. */
    value?: (i: Item) => number;
  };
};

const universe = new SimEngine().universeInfo(TOPIC, true);
const size = universe.size;
const known = Object.fromEntries(
  MODELS.map((m) => [m, knownRanks({ topic: canonicalTopic(TOPIC), items: universe.items ?? [] } as never, m, SIM_MODEL_PROFILES[m].breadth, 0.5)]),
) as Record<Model, Uint8Array>;

function population(rng: Rng): Item[] {
  const pick = (w: readonly number[]) => {
    let u = rng.next() * w.reduce((a, b) => a + b, 0);
    for (let k = 0; k < MODELS.length; k++) if ((u -= w[k]!) <= 0) return MODELS[k]!;
    return MODELS[MODELS.length - 1]!;
  };
  const out: Item[] = [];
  const add = (truth: Truth, proposers: Model[], calls: number) => out.push({ id: out.length, truth, proposers, calls, asked: [], opinions: [] });
  // Real single-model entries: the tail part of what the proposer knows.
  for (const [calls, n] of [
    [1, 249],
    [2, 149],
    [3, 187],
  ] as const) {
    for (let k = 0; k < n; k++) {
      const m = pick([0.5, 0.15, 0.35]);
      // Mostly names the other models do not know: had they known one, they would likely have proposed it too.
      let r = 0;
      const othersKnow = (x: number) => MODELS.some((o) => o !== m && known[o][x] === 1);
      do r = Math.floor(size * (0.3 + 0.7 * rng.next()));
      while (known[m][r] !== 1 || (othersKnow(r) && rng.next() < 0.7));
      add({ kind: "real", rank: r }, [m], calls);
    }
  }
  for (const [calls, n] of [
    [1, 696],
    [2, 100],
    [3, 5],
  ] as const)
    for (let k = 0; k < n; k++) add({ kind: "invented" }, [pick([0.25, 0.6, 0.15])], calls);
  for (let k = 0; k < 800; k++) add({ kind: "real", rank: Math.floor(size * rng.next() * rng.next()) }, ["sim-strong", "sim-claude"], 2);
  for (let k = 0; k < 20; k++) add({ kind: "off-topic" }, [...MODELS], 3);
  for (let k = out.length - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    [out[k], out[j]] = [out[j]!, out[k]!];
  }
  return out;
}

const supported = (i: Item) => isSupported({ models: i.proposers.length, calls: i.calls });
const byKnowledge = [...MODELS].sort((a, b) => SIM_MODEL_PROFILES[b].breadth - SIM_MODEL_PROFILES[a].breadth);
const byPrice = [...MODELS].sort((a, b) => OPINION_USD[a] - OPINION_USD[b]);

const supportOnly: Policy = {
  name: "support only (reference, no verification)",
  start: () => ({ next: () => null, decide: (i) => (supported(i) ? "unsure" : "rejected") }),
};

const additive: Policy = {
  name: "additive score (before)",
  start: () => {
    const recent = new Map<Model, boolean[]>();
    const inventing = (m: Model) => {
      const r = recent.get(m) ?? [];
      return r.length >= 30 && r.filter(Boolean).length / r.length >= 0.5;
    };
    const W: Record<Opinion, number> = { yes: 1, no: -1, off: -3, unsure: 0 };
    return {
      next: (i) => {
        if (i.opinions.length >= 3) return null;
        if (supported(i)) return byPrice.find((m) => !i.asked.includes(m)) ?? byPrice[0]!;
        return nextVerifier(byKnowledge, i.proposers, i.asked) as Model | null;
      },
      decide: (i, last) => {
        if (i.opinions.length === 0) return last ? "unsure" : null;
        let s = supported(i) ? 1 : inventing(i.proposers[0]!) && i.calls <= 1 ? -1 : 0;
        for (const o of i.opinions) s += W[o];
        const v: TrustVerdict | null =
          s >= 2
            ? "verified"
            : s <= -2
              ? "rejected"
              : !last && i.opinions.length < 3
                ? null
                : s > 0
                  ? "verified"
                  : i.proposers.length >= 2
                    ? "unsure"
                    : "rejected";
        if (v !== null && !supported(i)) {
          const r = recent.get(i.proposers[0]!) ?? [];
          r.push(v === "rejected");
          if (r.length > 100) r.shift();
          recent.set(i.proposers[0]!, r);
        }
        return v;
      },
    };
  },
};

const product: Policy = {
  name: "product (Dawid-Skene posterior, verifiers by value)",
  start: () => {
    const model = new VerifierModel();
    const observed = (i: Item) => ({ kind: kindOf(i.proposers, i.calls), anchor: i.proposers.length >= 2, asked: i.asked, opinions: i.opinions });
    let sinceFit = 0;
    return {
      next: (i) => {
        if (i.opinions.length >= MAX_OPINIONS) return null;
        if (supported(i)) return byPrice.find((m) => !i.asked.includes(m)) ?? null;
        const order = byValue(
          byKnowledge,
          (m) => model.discrimination(m),
          (m) => OPINION_USD[m as Model],
        );
        return nextVerifier(order, i.proposers, i.asked) as Model | null;
      },
      decide: (i, last) =>
        decide(
          { models: i.proposers.length, calls: i.calls, opinions: i.opinions, pInvented: model.pInvented(observed(i)) },
          last ? i.opinions.length : MAX_OPINIONS,
        ),
      onTopicCheck: (i, verdict) =>
        wantsOnTopicCheck({ models: i.proposers.length, opinions: i.opinions, moreVerifiers: MODELS.filter((m) => !i.asked.includes(m)).length }, verdict),
      ...(ORDER === "value"
        ? {
            value: (i: Item) => {
              if (i.proposers.length >= 2) return Number.POSITIVE_INFINITY;
              const v = supported(i) ? byPrice[0]! : (nextVerifier(byKnowledge, i.proposers, i.asked) as Model | null);
              return model.inventedShare(kindOf(i.proposers, i.calls)) / (v === null ? 1 : OPINION_USD[v]);
            },
          }
        : {}),
      observe: (all) => {
        if (++sinceFit < 200) return;
        sinceFit = 0;
        model.fit(all.filter((i) => i.opinions.length > 0).map(observed));
      },
    };
  },
};

function run(policy: Policy, seed: number) {
  const rng = new Rng(seed * 7919 + 1);
  const items = population(rng);
  const p = policy.start();
  const cap = (SHARE / (1 - SHARE)) * PRODUCTION_USD;
  const verdicts = new Map<Item, TrustVerdict>();
  let usd = 0;
  // As the queue serves them: entries due another opinion first, then new ones by value (or in
  // commit order), then the on-topic checks of several-model entries already kept (only a rejection changes them).
  const again: Item[] = [];
  const later: Item[] = [];
  const fresh = [...items];
  const nextFresh = (): Item | undefined => {
    if (!p.value) return fresh.shift();
    let best = -1;
    let bestValue = -1;
    for (const [k, i] of fresh.entries()) {
      const v = p.value(i);
      if (v > bestValue) [best, bestValue] = [k, v];
    }
    return best < 0 ? undefined : fresh.splice(best, 1)[0];
  };
  for (;;) {
    const i = again.shift() ?? nextFresh() ?? later.shift();
    if (i === undefined) break;
    const v = p.next(i);
    if (v === null) {
      if (!verdicts.has(i)) verdicts.set(i, p.decide(i, true) ?? "unsure");
      continue;
    }
    if (usd + OPINION_USD[v] > cap) break;
    usd += OPINION_USD[v];
    i.asked.push(v);
    i.opinions.push(simOpinion(i.truth, (r) => known[v][r] === 1, size, RATES, rng, { seed, verifier: v, text: `entry ${i.id}` }));
    p.observe?.(items);
    const d = p.decide(i, false);
    if (verdicts.has(i)) {
      if (d === "rejected") verdicts.set(i, d);
    } else if (d === null) again.push(i);
    else {
      verdicts.set(i, d);
      if (p.onTopicCheck?.(i, d)) later.push(i);
    }
  }
  let realRejected = 0;
  let inventedKept = 0;
  let offKept = 0;
  let kept = 0;
  for (const i of items) {
    if (verdicts.get(i) === "rejected") {
      if (i.truth.kind === "real") realRejected++;
      continue;
    }
    kept++;
    if (i.truth.kind === "invented") inventedKept++;
    if (i.truth.kind === "off-topic") offKept++;
  }
  return {
    precision: (kept - inventedKept - offKept) / kept,
    recallCostPoints: (100 * realRejected) / size,
    realRejected,
    inventedKept,
    offKept,
    unverified: items.length - verdicts.size,
    share: usd / (usd + PRODUCTION_USD),
    opinionsPerEntry: items.reduce((a, i) => a + i.opinions.length, 0) / items.length,
  };
}

const rows: Record<string, Record<string, number>> = {};
for (const policy of [supportOnly, additive, product]) {
  const rs = SEEDS.map((s) => run(policy, s));
  const mean = (k: keyof (typeof rs)[number], digits: number) => +(rs.reduce((a, r) => a + r[k], 0) / rs.length).toFixed(digits);
  rows[policy.name] = {
    precision: mean("precision", 4),
    recallCostPoints: mean("recallCostPoints", 2),
    realRejected: mean("realRejected", 1),
    inventedKept: mean("inventedKept", 1),
    offKept: mean("offKept", 1),
    unverified: mean("unverified", 1),
    share: mean("share", 3),
    opinionsPerEntry: mean("opinionsPerEntry", 2),
  };
  console.log(policy.name.padEnd(52), JSON.stringify(rows[policy.name]));
}
writeResults(RESULTS, {
  topic: TOPIC,
  order: ORDER,
  verifierRates: RATES,
  universe: size,
  share: SHARE,
  seeds: SEEDS,
  opinionUsd: OPINION_USD,
  policies: rows,
});
