import { cleanCandidate } from "./candidate";
import {
  canonicalKey,
  createDedupEngine,
  junkReason,
  topicWords,
  type BorderlineMatch,
  type DedupEngine,
  type DuplicateReason,
  type JunkReason,
} from "./dedup";
import type { CandidateSource } from "./dedup/blocking";
import { displayForm } from "./dedup/display-form";
import { countAtMost } from "./sorted";

/** The outcomes the orchestrator counts per candidate (routing penalises junk). */
export type CandidateOutcome = "unique" | "dupExact" | "dupNear" | "junk";

/**
 * Why a borderline candidate was kept apart from an entry, for a judge or the review list: a
 * close spelling the engine would not merge (`reason` a guard, with its `cost`), or an entry
 * candidate generation found beyond edit distance (`reason` its source: designator,
 * description, slip, alias, ...; `cost` null).
 */
export interface BorderlineEvidence extends Omit<BorderlineMatch, "reason" | "cost"> {
  reason: BorderlineMatch["reason"] | CandidateSource;
  cost: number | null;
  /** Distinct producers or models that proposed this candidate's key so far (this one included). */
  sources: number;
}

/**
 * A "borderline" candidate is close to an entry but kept apart on string evidence (a judge or
 * the user may merge it later): it is a new entry, outcome "unique" with its `borderline`
 * evidence, so nothing is lost.
 */
export type Classified =
  | { outcome: "unique"; text: string; key: string; borderline?: BorderlineEvidence[] }
  /** `previousProposals`: how often the matched entry had been proposed before (for coverage). */
  | { outcome: "dupExact" | "dupNear"; previousProposals: number | undefined; duplicateOf: string; reason: DuplicateReason }
  | { outcome: "junk"; reason: "empty" | JunkReason };

export interface EntryLedgerOptions {
  /** The run's topic: "Other <topic>" lines are junk (see src/lib/dedup/junk.ts). */
  topic?: string;
}

/** Surface forms remembered per entry: the few a display form is chosen from. */
const MAX_FORMS = 6;

/** Distinct sources counted per key: enough to tell "one model" from "several". */
const MAX_SOURCES_PER_KEY = 8;

/**
 * What the orchestrator knows about a run's entries: the dedup index, the recorded entries
 * in order, and how often each has been proposed. One place decides what a candidate is,
 * for the orchestrator, the routing test and the routing benchmark alike.
 *
 * A unique candidate enters the dedup index at once (so a concurrent duplicate is caught)
 * but is `record`ed only when committed; a duplicate of an entry not yet recorded has no
 * proposal count to bump.
 */
export class EntryLedger {
  readonly texts: string[] = [];
  /**
   * seqs[i]: the entry number of texts[i], ascending. 1..n until an entry is merged away:
   * the others keep their numbers (producers' deltas are by seq), so removal leaves a gap.
   */
  readonly seqs: number[] = [];
  /** proposals[i]: times texts[i] has been proposed, its first proposal included. */
  readonly proposals: number[] = [];
  private readonly indexByText = new Map<string, number>();
  private readonly topic: ReadonlySet<string> | undefined;
  /**
   * Sources (producer or model ids) that proposed each borderline key. The same close variant
   * coming from several models is evidence that it is a real spelling, not one model's slip:
   * a real distinct name (Shaanxi) or an established variant (Tolstoi). It goes to the judge and
   * the review list as evidence and never merges by itself.
   */
  private readonly sourcesByKey = new Map<string, Set<string>>();
  /**
   * Other texts proposed for an entry (exact duplicates and merged texts), by entry text, with
   * their counts; the entry's own text included once another form was seen. Only for entries
   * proposed in more than one form, at most MAX_FORMS each.
   */
  private readonly forms = new Map<string, Map<string, number>>();
  /** Entries whose display form may have changed since displayChanges() last ran. */
  private readonly formsChanged = new Set<string>();

  constructor(
    readonly engine: DedupEngine = createDedupEngine({ borderline: true, blocking: true }),
    options: EntryLedgerOptions = {},
  ) {
    this.topic = options.topic === undefined ? undefined : topicWords(options.topic);
  }

  /** Classifies a candidate; a unique or borderline one enters the dedup index at once. */
  classify(raw: string, source?: string): Classified {
    const text = cleanCandidate(raw);
    if (text === null) return { outcome: "junk", reason: "empty" };
    const junk = junkReason(text, this.topic);
    if (junk !== null) return { outcome: "junk", reason: junk };
    const result = this.engine.check(text);
    if (result.key === "") return { outcome: "junk", reason: "empty" };
    if (result.unique) {
      this.engine.accept(text, result.key);
      const evidence = evidenceOf(result.borderline ?? [], result.candidates ?? []);
      if (evidence.length === 0) return { outcome: "unique", text, key: result.key };
      const sources = this.countSource(result.key, source);
      return { outcome: "unique", text, key: result.key, borderline: evidence.map((m) => ({ ...m, sources })) };
    }
    if (this.sourcesByKey.has(result.key)) this.countSource(result.key, source);
    const i = this.indexByText.get(result.duplicateOf);
    const previousProposals = i === undefined ? undefined : this.proposals[i]!++;
    // Another surface form of the entry (case, accents, a merged text): it may become the display form.
    if (text !== result.duplicateOf && (result.reason === "same-key" || result.reason === "alias")) this.noteForm(result.duplicateOf, text, 1, i);
    return {
      outcome: result.kind === "near" ? "dupNear" : "dupExact",
      previousProposals,
      duplicateOf: result.duplicateOf,
      reason: result.reason ?? "same-key",
    };
  }

  /**
   * Records an accepted entry (in acceptance order) under `seq` (default: the last seq + 1);
   * returns its sequence number.
   */
  record(text: string, seq = this.lastSeq + 1): number {
    this.indexByText.set(text, this.texts.length);
    this.texts.push(text);
    this.proposals.push(1);
    this.seqs.push(seq);
    return seq;
  }

  /** Loads an entry stored earlier: into the index (key recomputed by this engine) and the record. */
  load(text: string, seq?: number): void {
    this.engine.accept(text);
    this.record(text, seq);
  }

  /** The highest recorded seq (0 when empty). */
  get lastSeq(): number {
    return this.seqs.length === 0 ? 0 : this.seqs[this.seqs.length - 1]!;
  }

  /** Index in `texts` of the first entry with a seq above `seq` (binary search). */
  indexAfter(seq: number): number {
    return countAtMost(this.seqs, (s) => s, seq);
  }

  /** Up to `max` recorded entries with a seq above `sinceSeq`, in seq order; `nextSeq`: the cursor after them. */
  delta(sinceSeq: number, max: number): { entries: Array<{ seq: number; text: string }>; nextSeq: number; more: boolean } {
    const from = this.indexAfter(Math.max(0, sinceSeq));
    const to = Math.min(this.texts.length, from + max);
    const entries = new Array<{ seq: number; text: string }>(to - from);
    for (let i = from; i < to; i++) entries[i - from] = { seq: this.seqs[i]!, text: this.texts[i]! };
    const nextSeq = to > from ? this.seqs[to - 1]! : Math.min(Math.max(0, sinceSeq), this.lastSeq);
    return { entries, nextSeq, more: to < this.texts.length };
  }

  /** The seq of a recorded entry, or undefined. */
  seqOf(text: string): number | undefined {
    const i = this.indexByText.get(text);
    return i === undefined ? undefined : this.seqs[i];
  }

  /** The text of the recorded entry `seq` (its display form now), or undefined: merged away or never recorded. */
  textOf(seq: number): string | undefined {
    const i = this.indexAfter(seq - 1);
    return this.seqs[i] === seq ? this.texts[i] : undefined;
  }

  /**
   * Admits a merged candidate back into the dedup index (the user says it is distinct), to be
   * recorded once committed. Null when an entry with the same text or canonical key exists.
   */
  admit(text: string): { text: string; key: string } | null {
    const clean = cleanCandidate(text);
    if (clean === null || this.indexByText.has(clean)) return null;
    // The user says it is distinct: it is no longer an alias of the entry it was merged into.
    this.engine.removeAlias(clean);
    const r = this.engine.check(clean);
    if (r.key === "" || (!r.unique && r.kind === "exact")) return null;
    this.engine.accept(clean, r.key);
    return { text: clean, key: r.key };
  }

  /**
   * Merges a recorded entry into another (a judge's or the user's decision): `text` leaves the
   * index and the record, its proposals count for `into`. False when either is not recorded.
   */
  merge(text: string, into: string): boolean {
    const from = this.indexByText.get(text);
    const to = this.indexByText.get(into);
    if (from === undefined || to === undefined || from === to) return false;
    const count = this.proposals[from]!;
    this.proposals[to]! += count;
    this.engine.remove(text);
    // Alias memory: proposed again, the merged text is a duplicate of `into` at once (no judge call).
    this.engine.addAlias(text, into);
    this.unrecord(from);
    this.forms.delete(text);
    this.formsChanged.delete(text);
    this.noteForm(into, text, count, to - (to > from ? 1 : 0));
    return true;
  }

  /**
   * Entries whose display form (lib/dedup/display-form.ts) differs from their text now: the
   * caller stores each change (DB, output.txt) and then calls rename().
   */
  displayChanges(): { seq: number; from: string; to: string }[] {
    const out: { seq: number; from: string; to: string }[] = [];
    for (const text of this.formsChanged) {
      const forms = this.forms.get(text);
      const seq = this.seqOf(text);
      // Not recorded yet (its commit is in flight): looked at again after the next change.
      if (forms !== undefined && seq === undefined) continue;
      this.formsChanged.delete(text);
      if (forms === undefined || seq === undefined) continue;
      const to = displayForm(
        text,
        [...forms].map(([t, count]) => ({ text: t, count })),
      );
      if (to !== text && !this.indexByText.has(to)) out.push({ seq, from: text, to });
    }
    return out;
  }

  /** True when some entry's display form may have changed (displayChanges() has work). */
  get hasDisplayChanges(): boolean {
    return this.formsChanged.size > 0;
  }

  /** Shows entry `from` as `to` (its display form): the record, the index and the forms follow. */
  rename(from: string, to: string): boolean {
    const i = this.indexByText.get(from);
    if (i === undefined || this.indexByText.has(to) || !this.engine.rename(from, to)) return false;
    this.texts[i] = to;
    this.indexByText.delete(from);
    this.indexByText.set(to, i);
    const forms = this.forms.get(from);
    if (forms) {
      this.forms.delete(from);
      this.forms.set(to, forms);
    }
    return true;
  }

  private noteForm(entry: string, form: string, count: number, index: number | undefined): void {
    let forms = this.forms.get(entry);
    if (forms === undefined) {
      if (index === undefined) return;
      // Earlier proposals were all of the entry's own text (no other form was seen).
      forms = new Map([[entry, Math.max(1, this.proposals[index]! - count)]]);
      this.forms.set(entry, forms);
    }
    const before = forms.get(form);
    if (before === undefined && forms.size >= MAX_FORMS) return;
    forms.set(form, (before ?? 0) + count);
    this.formsChanged.add(entry);
  }

  /**
   * Replays stored merges into the alias memory (a restart): `merges` in decision order, each a
   * text merged into an entry and not restored since. An entry itself merged later passes its
   * aliases on to the entry it joined. Returns how many were remembered.
   */
  loadAliases(merges: Iterable<{ text: string; into: string }>): number {
    let n = 0;
    const intoOf = new Map<string, string>();
    const list = [...merges];
    for (const m of list) intoOf.set(m.text, m.into);
    for (const m of list) {
      let into = m.into;
      // Follow later merges of the entry itself, to a live entry (bounded: a restore can make a cycle).
      for (let hops = 0; !this.indexByText.has(into) && intoOf.has(into) && hops < 16; hops++) into = intoOf.get(into)!;
      if (this.indexByText.has(into) && !this.indexByText.has(m.text) && this.engine.addAlias(m.text, into)) n++;
      // The entry took the merged text as its display form (a bare name merged into a described
      // entry): the old text is the alias now.
      else if (!this.indexByText.has(into) && this.indexByText.has(m.text) && this.engine.addAlias(into, m.text)) n++;
    }
    return n;
  }

  private unrecord(i: number): void {
    this.indexByText.delete(this.texts[i]!);
    this.texts.splice(i, 1);
    this.proposals.splice(i, 1);
    this.seqs.splice(i, 1);
    for (let j = i; j < this.texts.length; j++) this.indexByText.set(this.texts[j]!, j);
  }

  private countSource(key: string, source: string | undefined): number {
    let set = this.sourcesByKey.get(key);
    if (set === undefined) this.sourcesByKey.set(key, (set = new Set()));
    if (source !== undefined && set.size < MAX_SOURCES_PER_KEY) set.add(source);
    return Math.max(1, set.size);
  }
}

/**
 * The evidence of a unique candidate, in the order a judge sees it: the engine's candidates
 * (its top-k, the borderline band's spellings among them), then any other borderline match.
 */
function evidenceOf(
  borderline: readonly BorderlineMatch[],
  candidates: readonly { duplicateOf: string; source: CandidateSource }[],
): Omit<BorderlineEvidence, "sources">[] {
  const out: Omit<BorderlineEvidence, "sources">[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const close = c.source === "typo" ? borderline.find((m) => m.duplicateOf === c.duplicateOf) : undefined;
    out.push(close ?? { duplicateOf: c.duplicateOf, key: canonicalKey(c.duplicateOf), reason: c.source, cost: null });
    seen.add(c.duplicateOf);
  }
  for (const m of borderline) if (!seen.has(m.duplicateOf)) out.push(m);
  return out;
}
