import { yieldCurveEstimate, type FrequencyCounts, type YieldCurve } from "./coverage-evidence";
import { twoSidedZ } from "./stats/math";

/**
 * Exhaustion estimate: how many distinct entries a topic has, and how far the run got, from how
 * often candidates re-propose entries that are already known.
 *
 * Input is the frequency-of-frequencies: f[k] = number of accepted entries proposed exactly k times
 * in total (k = 1: only its first proposal). Estimators:
 *
 * - `chao1`: bias-corrected Chao1 with its variance-based log-normal interval. It assumes every
 *   proposal is an independent draw from a fixed population. LLM re-proposals break that twice over:
 *   popularity is heavily skewed (every model names the famous entries, the long tail rarely), which
 *   makes Chao1 a lower bound that can miss by half; and prompts that list known entries suppress
 *   repeats, which deflates f2 and pushes the other way. Neither bias shrinks with more data.
 * - `zipf`: fits a finite universe of N items with Zipf popularity p_i ∝ i^-s (s = 0 is the uniform
 *   case, where it agrees with Chao1) to the observed f1..fK by maximum (Poisson composite)
 *   likelihood, and reports N with a profile-likelihood interval. This corrects the skew bias; it
 *   cannot correct prompt-suppressed repeats, so treat the band as optimistic.
 * - `auto` (default): `zipf` once there are enough repeats to fit two parameters, else `chao1`.
 *
 * Both look only at re-proposals, and both come out low on the simulator at half coverage (−15 to
 * −30 %): prompts suppress exactly the re-proposals they count. The discovery curve does not depend
 * on re-proposals: `YieldCurve` records, per target (model), the share of each call's resolved
 * candidates that were new against how many entries the run had found. A Michaelis–Menten
 * accumulation curve U(n) = S·n / (B + n) has discovery rate dU/dn = (S − U)² / (B·S), so each
 * target's rate is fitted as c·(1 − U/S)² by weighted least squares, profiling S; S is where that
 * target runs dry. Per target, because routing shifts traffic between models of different breadth,
 * which bends a pooled curve; the topic has at least as many entries as the broadest target's S.
 * That extrapolation overshoots while the curve is still steep, the re-proposal estimate
 * undershoots, so with a curve (`CoverageOptions.yieldCurve`, method `blend`) the estimate is their
 * geometric mean, the band runs from the re-proposal estimate's low end to the larger of the two
 * high ends, and a curve below the re-proposal estimate is ignored (it is then the lower bound).
 */

export * from "./coverage-evidence";

export type CoverageMethod = "auto" | "chao1" | "zipf";

export type CoverageOptions = {
  /** Two-sided confidence of [low, high]. Default 0.95. */
  confidence?: number;
  /** Estimator, see the module comment. Default "auto". */
  method?: CoverageMethod;
  /** `auto` fits Zipf only with at least this many entries proposed twice or more. Default 20. */
  minRepeatedForZipf?: number;
  /** Largest N the Zipf fit considers, as a multiple of the observed count (the "unbounded" cap). Default 50. */
  maxRatio?: number;
  /** The run's per-target discovery curve: blends its extrapolation in (module comment). */
  yieldCurve?: YieldCurve;
};

export type CoverageEstimate = {
  /** Distinct entries found. */
  observed: number;
  /** Proposals that resolved to an entry (n). */
  samples: number;
  /** Estimated distinct entries in the topic (≥ observed). */
  estimatedTotal: number;
  /** Confidence band on estimatedTotal; `high` is Infinity when the data cannot bound it. */
  low: number;
  high: number;
  /** observed / estimatedTotal, in [0, 1]. */
  coverage: number;
  /** Good-Turing / Chao-Jost sample coverage: probability that the next proposal is an already-known entry. */
  sampleCoverage: number;
  /** "tree": the topic tree's sum over branches (src/lib/tree). */
  method: "chao1" | "zipf" | "blend" | "tree";
  /** Fitted Zipf exponent (when the re-proposal part is zipf). */
  zipfExponent?: number;
  /** The parts of a `blend`: the re-proposal estimate and the discovery-curve extrapolation. */
  parts?: { reproposals: number; reproposalMethod: "chao1" | "zipf"; yieldCurve: number };
};

function toArray(freqs: FrequencyCounts): number[] {
  if (Array.isArray(freqs)) return (freqs as readonly number[]).map((v, k) => (k === 0 ? 0 : v));
  const out: number[] = [0];
  for (const [k, v] of freqs as ReadonlyMap<number, number>) {
    if (!Number.isInteger(k) || k < 1) continue;
    while (out.length <= k) out.push(0);
    out[k] = v;
  }
  return out;
}

function basics(f: readonly number[]): { observed: number; samples: number; f1: number; f2: number } {
  let observed = 0;
  let samples = 0;
  for (let k = 1; k < f.length; k++) {
    const v = f[k] ?? 0;
    if (v < 0 || !Number.isFinite(v)) throw new Error(`frequency count f${k} must be a non-negative number, got ${v}`);
    observed += v;
    samples += k * v;
  }
  return { observed, samples, f1: f[1] ?? 0, f2: f[2] ?? 0 };
}

/** Chao & Jost (2012) sample coverage: 1 - f1/n · ((n-1) f1 / ((n-1) f1 + 2 f2)). */
export function sampleCoverage(freqs: FrequencyCounts): number {
  const { samples: n, f1, f2 } = basics(toArray(freqs));
  if (n === 0) return 0;
  if (f1 === 0) return 1;
  const a = (n - 1) * f1;
  const denom = a + 2 * f2;
  return Math.max(0, 1 - (f1 / n) * (denom > 0 ? a / denom : 1));
}

/** Bias-corrected Chao1 with the log-normal interval of Chao (1987) / EstimateS. */
export function chao1(freqs: FrequencyCounts, confidence = 0.95): { estimatedTotal: number; low: number; high: number } {
  const { observed: sObs, samples: n, f1, f2 } = basics(toArray(freqs));
  if (n === 0) return { estimatedTotal: 0, low: 0, high: Infinity };
  const a = (n - 1) / n;
  const est = sObs + (a * f1 * (f1 - 1)) / (2 * (f2 + 1));
  let variance: number;
  if (f2 > 0) {
    const q = f2 + 1;
    variance = (a * f1 * (f1 - 1)) / (2 * q) + (a * a * f1 * (2 * f1 - 1) ** 2) / (4 * q * q) + (a * a * f1 * f1 * f2 * (f1 - 1) ** 2) / (4 * q ** 4);
  } else {
    variance = (a * f1 * (f1 - 1)) / 2 + (a * a * f1 * (2 * f1 - 1) ** 2) / 4 - (a * a * f1 ** 4) / (4 * Math.max(est, 1));
  }
  variance = Math.max(variance, 0);
  const z = twoSidedZ(confidence);
  const t = est - sObs;
  if (t <= 0.5) {
    // Essentially nothing unseen: the log-normal form degenerates; use a one-sided normal margin.
    return { estimatedTotal: est, low: sObs, high: est + z * Math.sqrt(Math.max(variance, f1)) };
  }
  const k = Math.exp(z * Math.sqrt(Math.log(1 + variance / (t * t))));
  return { estimatedTotal: est, low: sObs + t / k, high: sObs + t * k };
}

// ---- Zipf finite-universe fit ----

const EXACT_RANKS = 32;
const BINS = 96;
const S_ITERATIONS = 16;

/**
 * Expected f1..fK and the tail (> K) under Zipf(N, s) with n Poisson draws; out has K + 1 slots
 * (out[K] = tail). The first ranks are summed exactly, the rest in log-spaced rank bins whose mass
 * is the integral of x^-s, so the cost does not grow with N.
 */
function expectedFreqs(total: number, s: number, n: number, maxK: number, out: Float64Array, units: Float64Array): void {
  out.fill(0);
  // units holds (count, weight) pairs.
  const exact = Math.min(total, EXACT_RANKS);
  const rest = total - exact;
  const nb = rest > 0 ? Math.min(BINS, rest) : 0;
  let m = 0;
  let z = 0;
  for (let i = 1; i <= exact; i++) {
    const w = Math.pow(i, -s);
    units[m++] = 1;
    units[m++] = w;
    z += w;
  }
  if (nb > 0) {
    const lo = exact + 0.5;
    const hi = total + 0.5;
    const ratio = Math.pow(hi / lo, 1 / nb);
    const unitS = Math.abs(s - 1) < 1e-9;
    let a = lo;
    let aPow = unitS ? 0 : Math.pow(a, 1 - s);
    for (let b = 0; b < nb; b++) {
      const bEnd = b === nb - 1 ? hi : a * ratio;
      const bPow = unitS ? 0 : Math.pow(bEnd, 1 - s);
      const mass = unitS ? Math.log(bEnd / a) : (bPow - aPow) / (1 - s);
      units[m++] = bEnd - a;
      units[m++] = mass / (bEnd - a);
      z += mass;
      a = bEnd;
      aPow = bPow;
    }
  }
  for (let u = 0; u < m; u += 2) {
    const count = units[u]!;
    const lambda = (n * units[u + 1]!) / z;
    let p = Math.exp(-lambda);
    let cum = p;
    for (let k = 1; k <= maxK; k++) {
      p = (p * lambda) / k;
      cum += p;
      out[k - 1]! += count * p;
    }
    out[maxK]! += count * Math.max(0, 1 - cum);
  }
}

function zipfLogLik(total: number, s: number, n: number, observed: readonly number[], scratch: Float64Array, units: Float64Array): number {
  const maxK = observed.length - 1;
  expectedFreqs(total, s, n, maxK, scratch, units);
  let ll = 0;
  for (let k = 0; k <= maxK; k++) {
    const e = Math.max(scratch[k]!, 1e-12);
    ll += observed[k]! * Math.log(e) - e;
  }
  return ll;
}

function goldenMax(f: (x: number) => number, lo: number, hi: number, iterations: number): { x: number; value: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return fc > fd ? { x: c, value: fc } : { x: d, value: fd };
}

const ZIPF_MAX_K = 8;
const ZIPF_MAX_S = 3;

/** Maximum-likelihood N of a finite Zipf universe, with a profile-likelihood interval. */
export function zipfEstimate(
  freqs: FrequencyCounts,
  confidence = 0.95,
  maxRatio = 50,
): { estimatedTotal: number; low: number; high: number; exponent: number } {
  const f = toArray(freqs);
  const { observed: sObs, samples: n } = basics(f);
  if (sObs === 0) return { estimatedTotal: 0, low: 0, high: Infinity, exponent: 0 };
  // Bins f1..fK plus the tail "> K": the tail carries the head of the distribution, which LLMs
  // rarely follow a power law on, so it is not resolved further.
  const obs: number[] = [];
  let head = 0;
  for (let k = 1; k <= ZIPF_MAX_K; k++) {
    obs.push(f[k] ?? 0);
    head += f[k] ?? 0;
  }
  obs.push(sObs - head);
  const scratch = new Float64Array(ZIPF_MAX_K + 1);
  const units = new Float64Array(2 * (EXACT_RANKS + BINS));
  const profile = (u: number) => {
    const total = Math.round(sObs * Math.exp(u));
    return goldenMax((s) => zipfLogLik(total, s, n, obs, scratch, units), 0, ZIPF_MAX_S, S_ITERATIONS);
  };
  const uMax = Math.log(maxRatio);
  const steps = 30;
  const us: number[] = [];
  const lls: number[] = [];
  let best = 0;
  for (let i = 0; i <= steps; i++) {
    const u = (uMax * i) / steps;
    us.push(u);
    lls.push(profile(u).value);
    if (lls[i]! > lls[best]!) best = i;
  }
  const lo = us[Math.max(0, best - 1)]!;
  const hi = us[Math.min(steps, best + 1)]!;
  const peak = goldenMax((u) => profile(u).value, lo, hi, 16);
  const bestS = profile(peak.x).x;
  const llMax = Math.max(peak.value, lls[best]!);
  const uHat = peak.value >= lls[best]! ? peak.x : us[best]!;
  const z = twoSidedZ(confidence);
  const cut = llMax - (z * z) / 2;
  const crossing = (from: number, to: number): number => {
    // Bisection on the profile for where it drops below the cut between from (inside) and to (outside).
    let a = from;
    let b = to;
    for (let i = 0; i < 14; i++) {
      const m = (a + b) / 2;
      if (profile(m).value >= cut) a = m;
      else b = m;
    }
    return (a + b) / 2;
  };
  let lowU = 0;
  for (let i = best; i >= 0; i--) {
    if (lls[i]! < cut) {
      lowU = crossing(Math.min(uHat, us[i + 1] ?? uHat), us[i]!);
      break;
    }
  }
  let highU = Infinity;
  for (let i = best; i <= steps; i++) {
    if (lls[i]! < cut) {
      highU = crossing(Math.max(uHat, us[i - 1] ?? uHat), us[i]!);
      break;
    }
  }
  return {
    estimatedTotal: sObs * Math.exp(uHat),
    low: sObs * Math.exp(lowU),
    high: highU === Infinity ? Infinity : sObs * Math.exp(highU),
    exponent: bestS,
  };
}

/** How many distinct entries the topic has and how much of it was found. */
export function estimateCoverage(freqs: FrequencyCounts, opts: CoverageOptions = {}): CoverageEstimate {
  const r = fromReproposals(freqs, opts);
  const curve = opts.yieldCurve && r.observed > 0 ? yieldCurveEstimate(opts.yieldCurve, r.observed) : null;
  if (!curve || curve.estimatedTotal <= r.estimatedTotal) return r;
  const estimatedTotal = Math.sqrt(r.estimatedTotal * curve.estimatedTotal);
  return {
    ...r,
    estimatedTotal,
    high: Math.max(r.high, curve.estimatedTotal),
    coverage: r.observed / estimatedTotal,
    method: "blend",
    parts: { reproposals: r.estimatedTotal, reproposalMethod: r.method === "zipf" ? "zipf" : "chao1", yieldCurve: curve.estimatedTotal },
  };
}

function fromReproposals(freqs: FrequencyCounts, opts: CoverageOptions): CoverageEstimate {
  const confidence = opts.confidence ?? 0.95;
  const method = opts.method ?? "auto";
  const f = toArray(freqs);
  const { observed, samples } = basics(f);
  const repeated = observed - (f[1] ?? 0);
  const c = chao1(f, confidence);
  const base = { observed, samples, sampleCoverage: sampleCoverage(f) };
  const fromChao1 = (high = c.high): CoverageEstimate => ({
    ...base,
    estimatedTotal: c.estimatedTotal,
    low: c.low,
    high,
    coverage: observed === 0 ? 0 : observed / c.estimatedTotal,
    method: "chao1",
  });
  const tryZipf = method === "zipf" || (method === "auto" && repeated >= (opts.minRepeatedForZipf ?? 20));
  if (!tryZipf || observed === 0) return fromChao1();
  const z = zipfEstimate(f, confidence, opts.maxRatio ?? 50);
  // Chao1 is a lower bound under any skew, so in auto mode a Zipf fit below it is misspecified
  // (popularity falling faster than a power law). The two err in opposite directions, hence the
  // wider of the two upper ends.
  if (method === "auto" && z.estimatedTotal < c.estimatedTotal) return fromChao1(Math.max(c.high, z.high));
  return {
    ...base,
    estimatedTotal: z.estimatedTotal,
    low: Math.max(observed, z.low),
    high: method === "auto" ? Math.max(z.high, c.high) : z.high,
    coverage: observed / Math.max(observed, z.estimatedTotal),
    method: "zipf",
    zipfExponent: z.exponent,
  };
}
