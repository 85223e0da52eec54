/**
 * npm run bench:dedup [-- --candidates N --seed S --runs R]
 * The dedup engine on a deterministic stream of 1,000,000 candidates (bench/lib/dedup-input.ts)
 * against an index growing to ~750,000 entries, next to the floor `awk '!seen[tolower($0)]++'`
 * on the same file. Each engine mode runs in its own process (fresh heap, its own peak RSS);
 * runs alternate with awk and the best of R is kept, because the machine is shared. Timings
 * include reading and splitting the file, as awk's do. Also: rebuild time for 100,000 entries
 * (the orchestrator's restart path), recall and false merges against the stream's ground
 * truth, and index sizes. Figures go to bench/results/dedup.json.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDedupEngine } from "../src/lib/dedup";
import { round } from "../src/lib/stats/math";
import { generateCandidates, TRUTH_NAMES } from "./lib/dedup-input";

const TARGETS = { nearRatio: 0.25, exactRatio: 0.8, peakRssMb: 600 };
const SEGMENT = 100_000;
const REBUILD_ENTRIES = 100_000;

type Mode = "near" | "exact";

interface Segment {
  candidates: number;
  indexSize: number;
  candidatesPerSecond: number;
  rssMb: number;
}

interface EngineRun {
  mode: Mode;
  wallMs: number;
  cpuMs: number;
  finalIndexSize: number;
  peakRssMb: number;
  segments: Segment[];
  /** Share of each ground-truth class reported as duplicate: recall, or false merges for "new". */
  flaggedDuplicate: Record<string, number>;
  index: { vocabulary: number; wordVariants: number; indexMb: number } | null;
}

interface RebuildRun {
  rebuild100kMs: number;
  rebuild100kCpuMs: number;
  rebuildAllMs: number;
  rebuildAllEntries: number;
  peakRssMb: number;
}

interface AwkRun {
  wallMs: number;
  cpuMs: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function readLines(file: string): string[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function engineWorker(mode: Mode, file: string, truthFile: string): EngineRun {
  const truth = fs.readFileSync(truthFile);
  const engine = createDedupEngine({ nearDuplicates: mode === "near" });
  const flagged = new Array<number>(TRUTH_NAMES.length).fill(0);
  const totals = new Array<number>(TRUTH_NAMES.length).fill(0);
  const segments: Segment[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lines = readLines(file);
  let segmentStart = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const r = engine.check(text);
    if (r.unique) engine.accept(text, r.key);
    else flagged[truth[i]!]!++;
    totals[truth[i]!]!++;
    if ((i + 1) % SEGMENT === 0) {
      const now = performance.now();
      segments.push({
        candidates: i + 1,
        indexSize: engine.size,
        candidatesPerSecond: Math.round(SEGMENT / ((now - segmentStart) / 1000)),
        rssMb: mb(process.memoryUsage.rss()),
      });
      segmentStart = performance.now();
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = (engine as unknown as { stats?: { vocabulary: number; wordVariants: number; indexBytes: number } }).stats;
  return {
    mode,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    finalIndexSize: engine.size,
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    segments,
    flaggedDuplicate: Object.fromEntries(TRUTH_NAMES.map((name, k) => [name, totals[k] ? Math.round((flagged[k]! / totals[k]!) * 10_000) / 10_000 : 0])),
    index: mode === "near" && stats ? { vocabulary: stats.vocabulary, wordVariants: stats.wordVariants, indexMb: mb(stats.indexBytes) } : null,
  };
}

function rebuildWorker(file: string): RebuildRun {
  // The stored entries: what an exact-key pass accepts, in order (not timed).
  const collector = createDedupEngine();
  const entries: string[] = [];
  for (const text of readLines(file)) {
    const r = collector.check(text);
    if (r.unique) {
      collector.accept(text, r.key);
      entries.push(text);
    }
  }
  const time = (texts: string[]) => {
    const engine = createDedupEngine();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    engine.acceptMany(texts);
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  time(entries.slice(0, 10_000)); // warm-up
  const hundredK = time(entries.slice(0, REBUILD_ENTRIES));
  const all = time(entries);
  return {
    rebuild100kMs: hundredK.ms,
    rebuild100kCpuMs: hundredK.cpuMs,
    rebuildAllMs: all.ms,
    rebuildAllEntries: entries.length,
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
}

function runWorker<T>(args: string[]): T {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, "--worker", ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${args[0]} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

function runAwk(file: string): AwkRun {
  // bash's `time` gives awk's own CPU time next to the wall clock.
  const script = `TIMEFORMAT='%R %U %S'; time awk '!seen[tolower($0)]++' "$1" > /dev/null`;
  const r = spawnSync("bash", ["-c", script, "bash", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`awk failed: ${r.stderr}`);
  const [real, user, sys] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { wallMs: real! * 1000, cpuMs: (user! + sys!) * 1000 };
}

const best = <T>(runs: T[], ms: (r: T) => number): T => runs.reduce((a, b) => (ms(b) < ms(a) ? b : a));
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

function main(): void {
  const { values, positionals } = parseArgs({
    options: {
      worker: { type: "string" },
      candidates: { type: "string", default: "1000000" },
      seed: { type: "string", default: "42" },
      runs: { type: "string", default: "3" },
    },
    allowPositionals: true,
    args: process.argv.slice(2),
  });
  if (values.worker) {
    const out = values.worker === "rebuild" ? rebuildWorker(positionals[0]!) : engineWorker(values.worker as Mode, positionals[0]!, positionals[1]!);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }

  const candidates = Number(values.candidates);
  const seed = Number(values.seed);
  const runs = Number(values.runs);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-dedup-bench-"));
  const file = path.join(tmp, "candidates.txt");
  const truthFile = path.join(tmp, "truth.bin");
  try {
    const loadBefore = os.loadavg();
    const t0 = performance.now();
    const stream = generateCandidates(candidates, seed);
    fs.writeFileSync(file, `${stream.lines.join("\n")}\n`);
    fs.writeFileSync(truthFile, stream.truth);
    const generatedMs = Math.round(performance.now() - t0);
    console.log(`generated ${candidates.toLocaleString("en")} candidates (seed ${seed}) in ${generatedMs} ms; ${runs} alternating run(s), best kept`);

    const awk: AwkRun[] = [];
    const near: EngineRun[] = [];
    const exact: EngineRun[] = [];
    for (let i = 0; i < runs; i++) {
      awk.push(runAwk(file));
      near.push(runWorker<EngineRun>(["near", file, truthFile]));
      awk.push(runAwk(file));
      exact.push(runWorker<EngineRun>(["exact", file, truthFile]));
      const perSecond = (r: { wallMs: number }) => `${rate(candidates, r.wallMs)}/s`;
      console.log(`run ${i + 1}: awk ${perSecond(awk.at(-2)!)}, near ${perSecond(near[i]!)}, awk ${perSecond(awk.at(-1)!)}, exact ${perSecond(exact[i]!)}`);
    }
    const rebuild = runWorker<RebuildRun>(["rebuild", file]);
    const loadAfter = os.loadavg();

    const awkBest = best(awk, (r) => r.wallMs);
    const nearBest = best(near, (r) => r.wallMs);
    const exactBest = best(exact, (r) => r.wallMs);
    const awkCpu = Math.min(...awk.map((r) => r.cpuMs));
    const nearCpu = Math.min(...near.map((r) => r.cpuMs));
    const exactCpu = Math.min(...exact.map((r) => r.cpuMs));
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"})`,
      loadAverage: { before: loadBefore.map((l) => round(l, 2)), after: loadAfter.map((l) => round(l, 2)) },
      locale: process.env.LC_ALL ?? process.env.LANG ?? "unset",
      candidates,
      seed,
      runs,
      finalIndexSize: { near: nearBest.finalIndexSize, exact: exactBest.finalIndexSize },
      candidatesPerSecond: { near: rate(candidates, nearBest.wallMs), exact: rate(candidates, exactBest.wallMs), awk: rate(candidates, awkBest.wallMs) },
      ratioToAwk: { near: ratio(awkBest.wallMs, nearBest.wallMs), exact: ratio(awkBest.wallMs, exactBest.wallMs) },
      cpuCandidatesPerSecond: { near: rate(candidates, nearCpu), exact: rate(candidates, exactCpu), awk: rate(candidates, awkCpu) },
      cpuRatioToAwk: { near: ratio(awkCpu, nearCpu), exact: ratio(awkCpu, exactCpu) },
      peakRssMb: { near: Math.max(...near.map((r) => r.peakRssMb)), exact: Math.max(...exact.map((r) => r.peakRssMb)), rebuild: rebuild.peakRssMb },
      targets: TARGETS,
      meetsTargets: {
        nearRatio: awkBest.wallMs / nearBest.wallMs >= TARGETS.nearRatio,
        exactRatio: awkBest.wallMs / exactBest.wallMs >= TARGETS.exactRatio,
        peakRss: Math.max(...near.map((r) => r.peakRssMb)) < TARGETS.peakRssMb,
      },
      rebuild100kMs: Math.round(rebuild.rebuild100kMs),
      rebuild100kCpuMs: Math.round(rebuild.rebuild100kCpuMs),
      rebuildAll: { entries: rebuild.rebuildAllEntries, ms: Math.round(rebuild.rebuildAllMs) },
      nearFlaggedDuplicate: nearBest.flaggedDuplicate,
      exactFlaggedDuplicate: exactBest.flaggedDuplicate,
      nearIndex: nearBest.index,
      nearSegments: nearBest.segments,
      allRuns: {
        awkMs: awk.map((r) => Math.round(r.wallMs)),
        nearMs: near.map((r) => Math.round(r.wallMs)),
        exactMs: exact.map((r) => Math.round(r.wallMs)),
      },
    };

    const rows: [string, string, string, string][] = [
      ["", "candidates/s", "ratio to awk", "peak RSS MB"],
      ["awk floor", result.candidatesPerSecond.awk.toLocaleString("en"), "1", "-"],
      ["near (default)", result.candidatesPerSecond.near.toLocaleString("en"), String(result.ratioToAwk.near), String(result.peakRssMb.near)],
      ["exact key", result.candidatesPerSecond.exact.toLocaleString("en"), String(result.ratioToAwk.exact), String(result.peakRssMb.exact)],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    console.log();
    for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "));
    console.log();
    const { finalIndexSize: size, cpuRatioToAwk: cpu } = result;
    console.log(
      `final index: ${size.near.toLocaleString("en")} entries (near), ${size.exact.toLocaleString("en")} (exact); ` +
        `CPU-time ratios: near ${cpu.near}, exact ${cpu.exact}`,
    );
    console.log(
      `rebuild: ${REBUILD_ENTRIES.toLocaleString("en")} entries in ${result.rebuild100kMs} ms (${result.rebuild100kCpuMs} ms CPU), ` +
        `${result.rebuildAll.entries.toLocaleString("en")} in ${result.rebuildAll.ms} ms`,
    );
    console.log(
      `near recall by class: ${TRUTH_NAMES.filter((n) => n !== "new")
        .map((n) => `${n} ${result.nearFlaggedDuplicate[n]}`)
        .join(", ")}; false merges of new names ${result.nearFlaggedDuplicate.new}`,
    );
    console.log(
      `targets (near >= ${TARGETS.nearRatio}, exact >= ${TARGETS.exactRatio}, RSS < ${TARGETS.peakRssMb} MB): ${JSON.stringify(result.meetsTargets)}; ` +
        `load ${result.loadAverage.before[0]} -> ${result.loadAverage.after[0]}`,
    );

    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "dedup.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
