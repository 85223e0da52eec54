/**
 * Dedup quality on real name lists: `npm run bench:dedup-quality [-- --out file.json]`.
 *
 * Data: bench/data/dedup-eval/ (ISO 3166 places and tz cities, ISO 639 languages, ISO 4217
 * currencies, ISO 15924 scripts; built by build.ts there, sources in SOURCES.md). Per topic:
 *   - names lost: the distinct names are proposed one by one in a seeded shuffled order and
 *     again in the reverse order, each into a fresh engine; a name is lost when the engine calls
 *     it a duplicate of an earlier, different name in either order (also shown: the mean per order);
 *   - orphan variants merged: before a name is proposed, its labelled variants are checked (not
 *     accepted): any merge is a distinct name merged into another (the "Togo." -> Tsogo case);
 *   - close pairs lost: each hard negative (distinct names of the list within two edits) alone,
 *     in either order;
 *   - variants leaked, per class: after every name is in, each labelled variant is checked; a
 *     unique verdict is a leak, a merge into another name is counted as wrong (and as a leak);
 *   - the pairs named in issue 10, in either order.
 *
 * Two columns: string-only (borderline pairs stay apart) and with the judge: borderline pairs go
 * through the judge's real request format and parser (src/lib/dedup/judge.ts) to the simulated
 * judge's logic (src/lib/sim/judge.ts). Real names are not in the simulator's universe, so here
 * the simulated judge knows the eval set's own labels (a variant names its base name, every
 * listed name is itself) and errs at SIM_JUDGE_ERROR_RATE, each way.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDedupEngine, type CheckResult, type DedupEngine } from "../src/lib/dedup";
import { buildJudgePrompt, JUDGED_MATCHES_PER_CANDIDATE, parseJudgePrompt, parseJudgeVerdicts, type JudgePair } from "../src/lib/dedup/judge";
import { SIM_JUDGE_ERROR_RATE, simJudgeAnswer, type Identify } from "../src/lib/sim/judge";
import { Rng } from "../src/lib/sim/prng";
import { seededRng } from "../src/lib/stats/math";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, "data", "dedup-eval");
const TOPICS = ["places", "languages", "currencies", "scripts"] as const;
const TYPO_CLASSES = new Set(["transposition", "transposition-space", "insertion", "deletion", "doubled", "keyboard"]);
const SURFACE_CLASSES = new Set(["case", "accents", "punctuation", "article", "abbreviation", "plural"]);
const LONG_NAME_LETTERS = 8;
const EXAMPLES = 8;

interface TopicData {
  topic: string;
  names: string[];
  variants: [string, number, string][];
  close: [number, number, number][];
}

type Mode = "string" | "judge";

interface Tally {
  total: number;
  bad: number;
  examples: string[];
}
const tally = (): Tally => ({ total: 0, bad: 0, examples: [] });
function count(t: Tally, bad: boolean, example: () => string): void {
  t.total++;
  if (!bad) return;
  t.bad++;
  if (t.examples.length < EXAMPLES) t.examples.push(example());
}

/** The judge side of the bench: request text -> simulated answer -> parser, per candidate. */
class EvalJudge {
  pairsAsked = 0;
  merges = 0;
  private readonly rng: Rng;
  constructor(
    private readonly topic: string,
    private readonly identify: Identify,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  decide(candidate: string, r: CheckResult): CheckResult {
    if (!r.unique || !r.borderline || r.borderline.length === 0) return r;
    const matches = r.borderline.slice(0, JUDGED_MATCHES_PER_CANDIDATE);
    const pairs: JudgePair[] = matches.map((m, i) => ({ id: `p${i + 1}`, candidate, entry: m.duplicateOf }));
    const prompt = buildJudgePrompt({ topic: this.topic, pairs });
    const request = parseJudgePrompt([prompt.system, prompt.user]);
    if (request === null) throw new Error("the simulator would not recognise this judge request");
    const answer = simJudgeAnswer(request, this.identify, SIM_JUDGE_ERROR_RATE, this.rng);
    const verdicts = parseJudgeVerdicts(
      answer.text,
      pairs.map((p) => p.id),
    );
    this.pairsAsked += pairs.length;
    for (let i = 0; i < pairs.length; i++) {
      if (verdicts.get(pairs[i]!.id) === "same") {
        this.merges++;
        return { unique: false, key: r.key, duplicateOf: matches[i]!.duplicateOf, kind: "near", reason: "judged" };
      }
    }
    return { unique: true, key: r.key };
  }
}

function letters(s: string): number {
  return s.replace(/[^\p{L}]/gu, "").length;
}

function runTopic(data: TopicData, mode: Mode) {
  const { names, variants } = data;
  const label = new Map<string, number>();
  names.forEach((n, i) => label.set(n, i));
  for (const [text, of] of variants) if (!label.has(text)) label.set(text, of);
  const identify: Identify = (text) => label.get(text) ?? null;
  const judge = new EvalJudge(data.topic, identify, 17);
  const check = (engine: DedupEngine, text: string, counted = false): CheckResult => {
    const r = engine.check(text);
    if (counted) observe(r);
    return mode === "judge" ? judge.decide(text, r) : r.unique ? { unique: true, key: r.key } : r;
  };
  const fresh = () => createDedupEngine({ borderline: true, blocking: true });
  // Judge load: candidate entries named per input line (what a judge would be shown).
  const load = { lines: 0, withCandidates: 0, pairs: 0 };
  const observe = (r: CheckResult) => {
    load.lines++;
    const n = r.unique ? (r.candidates?.length ?? 0) : 0;
    if (n > 0) load.withCandidates++;
    load.pairs += n;
  };

  const variantsOf = new Map<number, number[]>();
  variants.forEach(([, of], v) => variantsOf.set(of, [...(variantsOf.get(of) ?? []), v]));

  const rnd = seededRng(42);
  const order = names.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }

  const lostBy = new Map<number, string>();
  const orphanBy = new Map<number, string>();
  let finalEngine: DedupEngine | null = null;
  const acceptedText = new Map<number, string>();
  const lostPerOrder: number[] = [];
  for (const sequence of [order, [...order].reverse()]) {
    const engine = fresh();
    let lostHere = 0;
    for (const i of sequence) {
      for (const v of variantsOf.get(i) ?? []) {
        const r = check(engine, variants[v]![0], finalEngine === null);
        if (!r.unique && r.reason !== "empty" && !orphanBy.has(v))
          orphanBy.set(v, `${variants[v]![0]} -> ${r.duplicateOf} (${r.reason}; ${variants[v]![2]} of ${names[i]})`);
      }
      const r = check(engine, names[i]!, finalEngine === null);
      if (r.unique) {
        engine.accept(names[i]!, r.key);
        if (finalEngine === null) acceptedText.set(i, names[i]!);
      } else {
        lostHere++;
        if (!lostBy.has(i)) lostBy.set(i, `${names[i]} -> ${r.duplicateOf} (${r.reason})`);
      }
    }
    lostPerOrder.push(lostHere);
    finalEngine ??= engine;
  }

  const namesLost = { total: names.length, bad: lostBy.size, perOrder: lostPerOrder, examples: [...lostBy.values()].slice(0, EXAMPLES * 2) };
  const orphans = { total: variants.length, bad: orphanBy.size, examples: [...orphanBy.values()].slice(0, EXAMPLES * 2) };

  const byClass = new Map<string, Tally & { wrong: number }>();
  const classOf = (name: string) => byClass.get(name) ?? byClass.set(name, { ...tally(), wrong: 0 }).get(name)!;
  // Blocking recall per class: the variant merged into its own name, or its name among the candidates.
  const missed = new Map<string, Tally>();
  for (const [text, of, cls] of variants) {
    const raw = finalEngine!.check(text);
    const r = check(finalEngine!, text);
    const own = acceptedText.get(of);
    const surfaced = raw.unique ? raw.candidates?.some((c) => c.duplicateOf === own) === true : raw.reason === "empty" || raw.duplicateOf === own;
    for (const row of TYPO_CLASSES.has(cls) ? [cls, "all slips"] : [cls]) {
      const t = missed.get(row) ?? missed.set(row, tally()).get(row)!;
      count(t, !surfaced, () => `${text} (${names[of]})`);
    }
    const wrong = !r.unique && r.reason !== "empty" && own !== undefined && r.duplicateOf !== own;
    const leak = r.unique || wrong;
    const rows = [cls];
    if (TYPO_CLASSES.has(cls))
      rows.push(letters(names[of]!) >= LONG_NAME_LETTERS ? `${cls} (${LONG_NAME_LETTERS}+ letters)` : `${cls} (<${LONG_NAME_LETTERS} letters)`);
    if (SURFACE_CLASSES.has(cls)) rows.push("all surface");
    if (TYPO_CLASSES.has(cls)) rows.push("all typos");
    for (const row of rows) {
      const t = classOf(row);
      count(t, leak, () => `${text} (${names[of]})${wrong && !r.unique ? ` -> ${r.duplicateOf}` : ""}`);
      if (wrong) t.wrong++;
    }
  }

  // One engine for all pairs: each pair's first name is accepted, the second checked, the first removed.
  const closeLost = tally();
  const pairEngine = fresh();
  for (const [i, j, edits] of data.close) {
    let lost = "";
    for (const [a, b] of [
      [i, j],
      [j, i],
    ] as const) {
      pairEngine.accept(names[a]!);
      const r = check(pairEngine, names[b]!);
      if (!pairEngine.remove(names[a]!)) throw new Error(`could not remove ${names[a]}`);
      if (!r.unique) lost ||= `${names[b]} -> ${names[a]} (${r.reason}, ${edits} edits)`;
    }
    count(closeLost, lost !== "", () => lost);
  }

  return {
    namesLost,
    orphanVariantsMerged: orphans,
    closePairsLost: closeLost,
    variantsLeaked: Object.fromEntries([...byClass.entries()].sort(([a], [b]) => a.localeCompare(b))),
    notSurfaced: Object.fromEntries([...missed.entries()].sort(([a], [b]) => a.localeCompare(b))),
    judge: mode === "judge" ? { pairsAsked: judge.pairsAsked, merges: judge.merges } : undefined,
    load: { ...load, pairsPerLine: load.pairs / load.lines },
  };
}

function issuePairs(mode: Mode): Tally {
  const pairs = JSON.parse(readFileSync(path.join(DATA, "issue-pairs.json"), "utf8")) as [string, string][];
  const t = tally();
  const identify: Identify = (text) => text; // each text is its own thing: every pair is distinct
  const judge = new EvalJudge("names", identify, 5);
  for (const [x, y] of pairs) {
    let lost = "";
    for (const [a, b] of [
      [x, y],
      [y, x],
    ] as const) {
      const engine = createDedupEngine({ borderline: mode === "judge" });
      engine.accept(a);
      let r = engine.check(b);
      if (mode === "judge") r = judge.decide(b, r);
      if (!r.unique) lost ||= `${b} -> ${a} (${r.reason})`;
    }
    count(t, lost !== "", () => lost);
  }
  return t;
}

const pct = (t: { total: number; bad: number }) => (t.total === 0 ? "-" : `${((100 * t.bad) / t.total).toFixed(2)}%`);
const cell = (t: { total: number; bad: number }) => `${t.bad}/${t.total} (${pct(t)})`.padEnd(22);

function main(): void {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const results: Record<string, Record<Mode, ReturnType<typeof runTopic>>> = {};
  const started = Date.now();
  for (const topic of TOPICS) {
    const data = JSON.parse(readFileSync(path.join(DATA, `${topic}.json`), "utf8")) as TopicData;
    results[topic] = { string: runTopic(data, "string"), judge: runTopic(data, "judge") };
  }
  const issue = { string: issuePairs("string"), judge: issuePairs("judge") };

  const out: string[] = [];
  out.push(`dedup quality on real name lists (bench/data/dedup-eval); judge = simulated, knows the eval labels, errs ${SIM_JUDGE_ERROR_RATE * 100}% each way`);
  for (const [topic, r] of Object.entries(results)) {
    out.push("", `== ${topic}`.padEnd(40) + "string-only".padEnd(22) + "with judge");
    const row = (name: string, s: { total: number; bad: number }, j: { total: number; bad: number }) => out.push(`  ${name}`.padEnd(40) + cell(s) + cell(j));
    row("distinct names lost (either order)", r.string.namesLost, r.judge.namesLost);
    const perOrder = (t: { total: number; perOrder: number[] }) => ({ total: t.total, bad: t.perOrder.reduce((a, b) => a + b, 0) / t.perOrder.length });
    row("  per order (mean of the two)", perOrder(r.string.namesLost), perOrder(r.judge.namesLost));
    row("orphan variants merged (lost)", r.string.orphanVariantsMerged, r.judge.orphanVariantsMerged);
    row("close pairs lost (either order)", r.string.closePairsLost, r.judge.closePairsLost);
    for (const cls of Object.keys(r.string.variantsLeaked)) row(`leak: ${cls}`, r.string.variantsLeaked[cls]!, r.judge.variantsLeaked[cls]!);
    out.push(`  judge: ${r.judge.judge!.pairsAsked} pairs asked, ${r.judge.judge!.merges} merged`);
  }
  out.push("", "== issue 10 pairs lost".padEnd(40) + cell(issue.string) + cell(issue.judge));
  for (const e of issue.string.examples) out.push(`  string: ${e}`);
  for (const [topic, r] of Object.entries(results)) {
    for (const e of r.string.namesLost.examples.slice(0, 6)) out.push(`  ${topic} lost: ${e}`);
    for (const e of r.string.orphanVariantsMerged.examples.slice(0, 4)) out.push(`  ${topic} orphan: ${e}`);
  }
  console.log(out.join("\n"));

  const file = values.out ?? path.join(HERE, "results", "dedup-quality.json");
  writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, judgeErrorRate: SIM_JUDGE_ERROR_RATE, topics: results, issuePairs: issue },
      null,
      1,
    ) + "\n",
  );
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main();
