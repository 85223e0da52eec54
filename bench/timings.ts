/**
 * npm run bench:timings — speed figures that used to be assertions in unit tests (a loaded
 * machine made them fail): the coverage fits the server runs every 30 s on a large run, and
 * typo lookups in the dedup index as it grows (the ratio 60k/6k entries shows a steady cost
 * per lookup; a linear scan would be ~10x). Figures go to bench/results/timings.json.
 */
import os from "node:os";
import { YieldCurve, yieldCurveEstimate, zipfEstimate } from "../src/lib/coverage";
import { createDedupEngine } from "../src/lib/dedup";
import { seededRng } from "../src/lib/stats/math";
import { sampleUniverse, zipf } from "../test/helpers/universe-sample";
import { writeResults } from "./lib/results";

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

// Proposals drawn from a Zipf universe of 60,000 until 20,000 distinct entries were seen.
const freqs = sampleUniverse(zipf(60_000, 1), 20_000, 8).frequencies;
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
writeResults("timings", result);
