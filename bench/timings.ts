/**
 * npm run bench:timings — speed figures that used to be assertions in unit tests (a loaded
 * machine made them fail): the coverage fits the server runs every 30 s on a large run, and
 * typo lookups in the dedup index as it grows (the ratio 60k/6k entries shows a steady cost
 * per lookup; a linear scan would be ~10x). Figures go to bench/results/timings.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ReproposalCounter, YieldCurve, yieldCurveEstimate, zipfEstimate } from "../src/lib/coverage";
import { createDedupEngine } from "../src/lib/dedup";
import { seededRng } from "../src/lib/stats/math";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms of `runs` warm calls (the first, compiling, call is not counted). */
function time(fn: () => void, runs = 5): number {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

/** Proposals drawn from a Zipf universe of `size` until `stopAt` distinct entries were seen. */
function zipfFrequencies(size: number, stopAt: number, seed: number): readonly number[] {
  const rng = seededRng(seed);
  const cdf: number[] = [];
  let total = 0;
  for (let i = 1; i <= size; i++) cdf.push((total += 1 / i));
  const proposals = new Int32Array(size);
  const counter = new ReproposalCounter();
  while (counter.observed < stopAt) {
    const r = rng() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    if (proposals[lo] === 0) counter.onNew();
    else counter.onRepeat(proposals[lo]!);
    proposals[lo]!++;
  }
  return counter.frequencies;
}

function typoLookupMs(indexSize: number): number {
  const rnd = seededRng(5);
  const syllables = ["ka", "vel", "mor", "dra", "lin", "tos", "bre", "qui", "zan", "fo", "rish", "nel"];
  const word = () => Array.from({ length: 3 + Math.floor(rnd() * 2) }, () => syllables[Math.floor(rnd() * syllables.length)]).join("");
  const engine = createDedupEngine();
  const names = Array.from({ length: indexSize }, () => `${word()} ${word()}`);
  engine.acceptMany(names);
  return time(() => {
    for (let i = 0; i < 2_000; i++) engine.check(`${names[i]!}x`);
  }, 3);
}

const freqs = zipfFrequencies(60_000, 20_000, 8);
const curve = new YieldCurve();
for (let i = 0; i < 20_000; i++) curve.add(i % 3 === 0 ? "a" : i % 3 === 1 ? "b" : "c", i * 5, 5, 40);
const small = typoLookupMs(6_000);
const large = typoLookupMs(60_000);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} cpus`,
  loadAverage: os.loadavg(),
  zipfFitMs: time(() => zipfEstimate(freqs)),
  yieldCurveFitMs: time(() => yieldCurveEstimate(curve, 100_000)),
  typoLookups2000Ms: { index6k: small, index60k: large, ratio: large / small },
};
console.log(JSON.stringify(result, null, 2));
fs.writeFileSync(path.join(__dirname, "results", "timings.json"), `${JSON.stringify(result, null, 2)}\n`);
