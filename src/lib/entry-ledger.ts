import { cleanCandidate } from "./candidate";
import { createDedupEngine, junkReason, topicWords, type BorderlineMatch, type DedupEngine, type DuplicateReason, type JunkReason } from "./dedup";

/** The outcomes the orchestrator counts per candidate (routing penalises junk). */
export type CandidateOutcome = "unique" | "dupExact" | "dupNear" | "junk";

/** Why a borderline candidate was kept apart from an entry, for a judge or the review list. */
export interface BorderlineEvidence extends BorderlineMatch {
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

  constructor(
    readonly engine: DedupEngine = createDedupEngine({ borderline: true }),
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
      if (!result.borderline || result.borderline.length === 0) return { outcome: "unique", text, key: result.key };
      const sources = this.countSource(result.key, source);
      return { outcome: "unique", text, key: result.key, borderline: result.borderline.map((m) => ({ ...m, sources })) };
    }
    if (this.sourcesByKey.has(result.key)) this.countSource(result.key, source);
    const i = this.indexByText.get(result.duplicateOf);
    return {
      outcome: result.kind === "near" ? "dupNear" : "dupExact",
      previousProposals: i === undefined ? undefined : this.proposals[i]!++,
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
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The seq of a recorded entry, or undefined. */
  seqOf(text: string): number | undefined {
    const i = this.indexByText.get(text);
    return i === undefined ? undefined : this.seqs[i];
  }

  /**
   * Admits a merged candidate back into the dedup index (the user says it is distinct), to be
   * recorded once committed. Null when an entry with the same text or canonical key exists.
   */
  admit(text: string): { text: string; key: string } | null {
    const clean = cleanCandidate(text);
    if (clean === null || this.indexByText.has(clean)) return null;
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
    this.proposals[to]! += this.proposals[from]!;
    this.engine.remove(text);
    this.unrecord(from);
    return true;
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
