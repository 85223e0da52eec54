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
import { buildSelectorPrompt, MAX_SELECTOR_ITEMS, parseSelections, parseSelectorPrompt } from "../src/lib/dedup/judge";
import { SIM_JUDGE_ERROR_RATE, simSelectorAnswer, type Identify } from "../src/lib/sim/judge";
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

/**
 * The judge side of the bench: the selector's request text -> simulated answer -> parser, per
 * candidate (one item; calls are counted as if items were batched MAX_SELECTOR_ITEMS per call).
 */
class EvalJudge {
  /** Candidates shown to the judge, and the entries shown with them. */
  itemsAsked = 0;
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

  get calls(): number {
    return Math.ceil(this.itemsAsked / MAX_SELECTOR_ITEMS);
  }

  decide(candidate: string, r: CheckResult): CheckResult {
    if (!r.unique || !r.candidates || r.candidates.length === 0) return r;
    const options = r.candidates.map((c) => c.duplicateOf);
    const item = { id: "c1", candidate, options };
    const prompt = buildSelectorPrompt({ topic: this.topic, items: [item] });
    const request = parseSelectorPrompt([prompt.system, prompt.user]);
    if (request === null) throw new Error("the simulator would not recognise this selector request");
    const answer = simSelectorAnswer(request, this.identify, SIM_JUDGE_ERROR_RATE, this.rng);
    const picked = parseSelections(answer.text, [item]).get("c1");
    this.itemsAsked++;
    this.pairsAsked += options.length;
    if (picked === undefined || picked === null) return { unique: true, key: r.key };
    this.merges++;
    return { unique: false, key: r.key, duplicateOf: options[picked]!, kind: "near", reason: "judged" };
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
    judge: mode === "judge" ? { itemsAsked: judge.itemsAsked, pairsAsked: judge.pairsAsked, calls: judge.calls, merges: judge.merges } : undefined,
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
      const engine = createDedupEngine({ borderline: true, blocking: true });
      engine.accept(a);
      let r = engine.check(b);
      if (mode === "judge") r = judge.decide(b, r);
      if (!r.unique) lost ||= `${b} -> ${a} (${r.reason})`;
    }
    count(t, lost !== "", () => lost);
  }
  return t;
}

/**
 * The official/common-name and alias tier (aliases.json, built from iso-codes and tzdata by
 * build-aliases.ts): every name of the topic is an entry; each pair's variant is proposed
 * against its entry (and, for string recall, the entry against the variant). Surfaced: merged
 * into its entry or the entry named among the candidates. With the judge: the selector decides,
 * a merge makes the variant an alias (DedupEngine.addAlias), and the variant proposed again must
 * be a duplicate without a judge call.
 */
function aliasTier() {
  const file = JSON.parse(readFileSync(path.join(DATA, "aliases.json"), "utf8")) as { pairs: [string, string, string, string][] };
  type Row = { pairs: number; skipped: number; surfaced: number; surfacedBothOrders: number; falseMerges: number; examples: string[] };
  type JudgeRow = { pairs: number; leaked: number; wrongMerges: number; items: number; secondCalls: number; examples: string[] };
  const rows = new Map<string, Row>();
  const judged = new Map<string, JudgeRow>();
  const row = (m: Map<string, Row>, k: string) =>
    m.get(k) ?? m.set(k, { pairs: 0, skipped: 0, surfaced: 0, surfacedBothOrders: 0, falseMerges: 0, examples: [] }).get(k)!;
  const jrow = (k: string) => judged.get(k) ?? judged.set(k, { pairs: 0, leaked: 0, wrongMerges: 0, items: 0, secondCalls: 0, examples: [] }).get(k)!;
  for (const topic of ["places", "languages"]) {
    const data = JSON.parse(readFileSync(path.join(DATA, `${topic}.json`), "utf8")) as TopicData;
    const pairs = file.pairs.filter((p) => p[3] === topic);
    const engine = createDedupEngine({ borderline: true, blocking: true });
    engine.acceptMany(data.names);
    // The simulated judge knows the tier's labels: a variant names its entry, every listed name is itself.
    const label = new Map<string, string>();
    for (const n of data.names) label.set(n, n);
    for (const [entry, variant] of pairs) if (!label.has(variant)) label.set(variant, label.get(entry) ?? entry);
    const listedNames = new Set(data.names);
    const judge = new EvalJudge(topic, (t) => label.get(t) ?? null, 23);
    const surfacedFor = (own: string, r: CheckResult) => (r.unique ? r.candidates?.some((c) => c.duplicateOf === own) === true : r.duplicateOf === own);
    for (const [entry, variant, source] of pairs) {
      for (const k of [source, "all"]) row(rows, k).pairs++;
      // The entry as the engine holds it (an exact duplicate of a listed name is that name).
      const e0 = engine.check(entry);
      const temporary = e0.unique;
      if (temporary) engine.accept(entry, e0.key);
      const own = e0.unique ? entry : e0.duplicateOf;
      const r = engine.check(variant);
      // A "variant" that is itself a listed name (tz links between two listed cities) is not a pair.
      const listed =
        listedNames.has(variant) || (!r.unique && r.kind === "exact" && r.reason === "same-key" && r.duplicateOf !== own && listedNames.has(r.duplicateOf));
      if (listed || own !== (label.get(own) ?? own)) {
        for (const k of [source, "all"]) row(rows, k).skipped++;
        if (temporary) engine.remove(entry);
        continue;
      }
      const forward = surfacedFor(own, r);
      // The other order: the variant is the entry, its other name the candidate.
      engine.remove(own);
      engine.accept(variant);
      const back = engine.check(own);
      const backward = back.unique ? back.candidates?.some((c) => c.duplicateOf === variant) === true : back.duplicateOf === variant;
      engine.remove(variant);
      engine.accept(own);
      const falseMerge = !r.unique && r.duplicateOf !== own && r.reason !== "empty";
      for (const k of [source, "all"]) {
        const t = row(rows, k);
        if (forward) t.surfaced++;
        if (forward && backward) t.surfacedBothOrders++;
        if (falseMerge) t.falseMerges++;
        if (!forward && t.examples.length < EXAMPLES) t.examples.push(`${variant} (${own})`);
      }
      // End to end: the judge decides, a merge is remembered, the variant comes again.
      const decided = judge.decide(variant, r);
      const itemsBefore = judge.itemsAsked;
      const merged = !decided.unique && decided.duplicateOf === own;
      if (!decided.unique && decided.reason === "judged") engine.addAlias(variant, decided.duplicateOf);
      const again = engine.check(variant);
      judge.decide(variant, again);
      for (const k of [source, "all"]) {
        const t = jrow(k);
        t.pairs++;
        if (!merged) t.leaked++;
        if (!decided.unique && !merged) t.wrongMerges++;
        if (!merged && t.examples.length < EXAMPLES) t.examples.push(`${variant} (${own})`);
        t.items += r.unique && r.candidates ? 1 : 0;
        // A merged text must never cost a second judge call.
        if (!decided.unique && judge.itemsAsked > itemsBefore) t.secondCalls++;
      }
      if (!decided.unique && decided.reason === "judged") engine.removeAlias(variant);
      if (temporary) engine.remove(entry);
    }
  }
  return { string: Object.fromEntries(rows), judge: Object.fromEntries(judged) };
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
  const aliases = aliasTier();

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
  out.push("", "== official/common names and aliases (aliases.json): surfaced string-only, leaked end to end with the selector judge");
  for (const [source, t] of Object.entries(aliases.string)) {
    const j = aliases.judge[source]!;
    const n = t.pairs - t.skipped;
    out.push(
      `  ${source}`.padEnd(16) +
        `surfaced ${t.surfaced}/${n} (${((100 * t.surfaced) / n).toFixed(1)}%), both orders ${((100 * t.surfacedBothOrders) / n).toFixed(1)}%, false merges ${t.falseMerges}; ` +
        `e2e leaked ${j.leaked}/${j.pairs} (${((100 * j.leaked) / j.pairs).toFixed(1)}%), wrong merges ${j.wrongMerges}, second judge calls ${j.secondCalls}`,
    );
  }
  for (const [topic, r] of Object.entries(results)) {
    const l = r.string.load;
    const j = r.judge.judge!;
    out.push(
      `  load ${topic}: ${l.pairs} candidate pairs on ${l.lines} lines (${l.pairsPerLine.toFixed(3)} per line, ${((1000 * l.pairs) / r.string.namesLost.total).toFixed(0)} per 1,000 entries); judge ${j.itemsAsked} items in ~${j.calls} calls`,
    );
  }
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
      {
        date: new Date().toISOString(),
        seconds: (Date.now() - started) / 1000,
        judgeErrorRate: SIM_JUDGE_ERROR_RATE,
        topics: results,
        issuePairs: issue,
        aliases,
      },
      null,
      1,
    ) + "\n",
  );
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main();
