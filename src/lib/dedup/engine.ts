import { analyseCandidate } from "./canonical-key";
import { DELETION_BUFFER_SIZE, HashMultimap, MAX_INDEXED_WORD, deletionHashes, hashString, mix32 } from "./hash-multimap";
import { compareWords, type SoftReason, type TypoThresholds } from "./typo";

export interface DedupOptions extends TypoThresholds {
  /** Look for typos, word-order and spacing variants; false = canonical key only. */
  nearDuplicates: boolean;
  /** Most edits summed over a candidate's misspelt words. */
  maxEditsPerKey: number;
  /** A pure permutation merges only with this many content words (Boat House != House Boat). */
  reorderMinWords: number;
  /** "Eiffeltower" = "Eiffel Tower" only when the letters without spaces are this long. */
  spacingMinLength: number;
  /** Also report close pairs a guard kept apart, as `borderline` on unique results. */
  borderline: boolean;
  /** Known words tried per misspelt word. */
  maxNeighboursPerWord: number;
  /** A word in this many entries is common: a one-letter-shorter or -longer unknown word is its typo. */
  frequentWordMinEntries: number;
}

export const DEFAULT_DEDUP_OPTIONS: Readonly<DedupOptions> = Object.freeze({
  nearDuplicates: true,
  oneEditMinLength: 5,
  twoEditsMinLength: 9,
  maxEditsPerKey: 2,
  reorderMinWords: 3,
  spacingMinLength: 6,
  borderline: false,
  maxNeighboursPerWord: 8,
  frequentWordMinEntries: 5,
});

/** Why a candidate is a duplicate. "empty": no letters or digits at all (junk, not a repeat). */
export type DuplicateReason = "same-key" | "typo" | "word-order" | "spacing" | "judged" | "empty";

/** An accepted entry that is close to a unique candidate but was kept apart by a guard. */
export interface BorderlineMatch {
  duplicateOf: string;
  key: string;
  reason: SoftReason;
  cost: number;
}

export type CheckResult =
  | { unique: true; key: string; borderline?: BorderlineMatch[] }
  | { unique: false; key: string; duplicateOf: string; kind: "exact" | "near"; reason?: DuplicateReason };

export interface DedupEngine {
  /** Compares a candidate with the accepted entries; does not change the index. */
  check(candidate: string): CheckResult;
  /** Adds an entry; `key` is the one check() returned. No-op for "" or a key already present. */
  accept(text: string, key?: string): void;
  /** Rebuilds from stored entries (already unique): accept() for each, returns how many were added. */
  acceptMany(texts: Iterable<string>): number;
  readonly size: number;
  readonly options: Readonly<DedupOptions>;
}

// Function words ignored when comparing word bags ("Catacombs of Paris" = "Paris Catacombs").
const BAG_STOPWORDS = new Set(["of", "the", "a", "an", "and", "de", "des", "du", "del", "di", "da", "la", "le", "les", "l", "d"]);

interface Neighbour {
  word: string;
  id: number;
  cost: number;
  soft: SoftReason | null;
}

function byCostThenAge(a: Neighbour, b: Neighbour): number {
  return a.cost - b.cost || (a.soft === null ? 0 : 1) - (b.soft === null ? 0 : 1) || a.id - b.id;
}

function despacedHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c !== 32) h = (Math.imul(h, 0x01000193) + c) | 0;
  }
  return h;
}

function contentWords(words: readonly string[]): string[] {
  return words.filter((w) => !BAG_STOPWORDS.has(w)).sort();
}

/**
 * What check() learnt about its candidate, reused by an accept() of the same text right after
 * (the orchestrator's check-then-accept), so the hot path splits and hashes each key once.
 */
class LastCheck {
  text: string | null = null;
  key = "";
  /** The index version the check ran against; any accept in between makes it stale. */
  version = -1;
  /** check() found no entry with this key. */
  absent = false;
  swappedKey: string | null = null;
  words: string[] | null = null;
  /** Words not in the vocabulary at check time; null when not computed. */
  unknownWords: string[] | null = null;
  /** Vocabulary ids of the words that were known. */
  knownIds: number[] | null = null;
  spacingHash = 0;
  bagHash = 0;
  bagCount = 0;
}

class DedupIndex implements DedupEngine {
  readonly options: Readonly<DedupOptions>;
  private readonly texts: string[] = [];
  /** Keys by entry id, kept only for near-duplicate verification. */
  private readonly keys: string[] = [];
  private readonly byKey = new Map<string, number>();
  // Near-duplicate indexes, filled only when options.nearDuplicates.
  private readonly vocabulary = new Map<string, number>();
  private readonly vocabularyWords: string[] = [];
  /** Entries using each vocabulary word (counted once per entry per occurrence). */
  private wordEntries = new Int32Array(1 << 16);
  private readonly wordVariants = new HashMultimap(1 << 16);
  private readonly bags = new HashMultimap(1 << 16);
  private readonly spacings = new HashMultimap(1 << 16);
  private readonly swaps = new HashMultimap(1 << 8);
  private wordSeen = new Int32Array(1 << 16);
  private stamp = 0;
  private readonly variantBuffer = new Int32Array(DELETION_BUFFER_SIZE);
  private readonly last = new LastCheck();

  constructor(options: Readonly<DedupOptions>) {
    this.options = options;
  }

  get size(): number {
    return this.texts.length;
  }

  /** Sizes of the indexes, for the benchmark. */
  get stats(): { entries: number; vocabulary: number; wordVariants: number; indexBytes: number } {
    const tables = [this.wordVariants, this.bags, this.spacings, this.swaps];
    return {
      entries: this.texts.length,
      vocabulary: this.vocabularyWords.length,
      wordVariants: this.wordVariants.count,
      indexBytes: tables.reduce((sum, t) => sum + t.bytes, 0) + this.wordSeen.byteLength + this.wordEntries.byteLength,
    };
  }

  check(candidate: string): CheckResult {
    const a = analyseCandidate(candidate);
    const { key } = a;
    const last = this.last;
    last.text = candidate;
    last.key = key;
    last.version = this.texts.length;
    last.swappedKey = a.swappedKey;
    last.words = null;
    last.unknownWords = null;
    last.knownIds = null;
    last.absent = false;
    if (key === "") return { unique: false, key, duplicateOf: "", kind: "exact", reason: "empty" };
    const id = this.byKey.get(key);
    if (id !== undefined) return { unique: false, key, duplicateOf: this.texts[id]!, kind: "exact", reason: "same-key" };
    last.absent = true;
    if (!this.options.nearDuplicates) return { unique: true, key };
    return this.findNear(key, a.swappedKey);
  }

  accept(text: string, key?: string): void {
    const last = this.last;
    // Fresh: check() just ran on this text against the current index and found its key absent.
    const fresh = last.text === text && last.version === this.texts.length && (key === undefined || key === last.key) && last.key !== "";
    let swappedKey: string | null | undefined;
    if (fresh) {
      key = last.key;
      swappedKey = last.swappedKey;
      if (!last.absent) return;
    } else {
      if (key === undefined) {
        const a = analyseCandidate(text);
        key = a.key;
        swappedKey = a.swappedKey;
      }
      if (key === "" || this.byKey.has(key)) return;
    }
    const id = this.texts.length;
    this.texts.push(text);
    this.byKey.set(key, id);
    last.text = null;
    if (!this.options.nearDuplicates) return;
    this.keys.push(key);

    if (fresh && last.words !== null && last.unknownWords !== null && last.knownIds !== null) {
      for (const w of last.unknownWords) this.countWord(w);
      for (const wordId of last.knownIds) this.wordEntries[wordId]!++;
      if (last.spacingHash !== 0) this.spacings.add(last.spacingHash, id);
      if (last.bagCount >= 2) this.bags.add(last.bagHash, id);
    } else {
      const words = key.split(" ");
      for (const w of words) this.countWord(w);
      const spacing = this.spacingHash(key, words.length);
      if (spacing !== 0) this.spacings.add(spacing, id);
      const bag = this.bagHash(words);
      if (bag.count >= 2) this.bags.add(bag.hash, id);
    }
    if (text.includes(",")) {
      if (swappedKey === undefined) swappedKey = analyseCandidate(text).swappedKey;
      if (swappedKey !== null) this.swaps.add(hashString(swappedKey), id);
    }
  }

  acceptMany(texts: Iterable<string>): number {
    const before = this.texts.length;
    for (const t of texts) this.accept(t);
    return this.texts.length - before;
  }

  private near(key: string, id: number, reason: DuplicateReason): CheckResult {
    return { unique: false, key, duplicateOf: this.texts[id]!, kind: "near", reason };
  }

  /** Hash of the key without its spaces, or 0 when too short for a spacing match. */
  private spacingHash(key: string, wordCount: number): number {
    if (key.length - (wordCount - 1) < this.options.spacingMinLength) return 0;
    return despacedHash(key) || 1;
  }

  private findNear(key: string, swappedKey: string | null): CheckResult {
    const words = key.split(" ");
    const last = this.last;
    last.words = words;

    if (swappedKey !== null) {
      const id = this.byKey.get(swappedKey);
      if (id !== undefined) return this.near(key, id, "word-order");
    }
    if (this.swaps.count > 0) {
      const h = hashString(key);
      for (let r = this.swaps.first(h); r !== -1; r = this.swaps.nextSlot(r, h)) {
        const id = this.swaps.valueAt(r);
        if (analyseCandidate(this.texts[id]!).swappedKey === key) return this.near(key, id, "word-order");
      }
    }

    const spacing = this.spacingHash(key, words.length);
    last.spacingHash = spacing;
    if (spacing !== 0) {
      let despaced: string | null = null;
      for (let r = this.spacings.first(spacing); r !== -1; r = this.spacings.nextSlot(r, spacing)) {
        const id = this.spacings.valueAt(r);
        despaced ??= key.replaceAll(" ", "");
        if (this.keys[id]!.replaceAll(" ", "") === despaced) return this.near(key, id, "spacing");
      }
    }

    const bag = this.bagHash(words);
    const h = bag.hash;
    const contentCount = bag.count;
    last.bagHash = h;
    last.bagCount = contentCount;
    if (contentCount >= 2) {
      let mine: string[] | null = null;
      for (let r = this.bags.first(h); r !== -1; r = this.bags.nextSlot(r, h)) {
        const id = this.bags.valueAt(r);
        const theirWords = this.keys[id]!.split(" ");
        // Two content words in the same number of words is a swap (House Boat / Boat House), not a paraphrase.
        if (contentCount < this.options.reorderMinWords && theirWords.length === words.length) continue;
        mine ??= contentWords(words);
        const theirs = contentWords(theirWords);
        if (theirs.length === mine.length && theirs.every((w, i) => w === mine![i])) return this.near(key, id, "word-order");
      }
    }

    return this.findTypo(key, words);
  }

  private findTypo(key: string, words: readonly string[]): CheckResult {
    const { borderline, maxEditsPerKey } = this.options;
    let slots: (Neighbour[] | undefined)[] | null = null;
    const unknown: string[] = [];
    const knownIds: number[] = [];
    this.last.unknownWords = unknown;
    this.last.knownIds = knownIds;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const wordId = this.vocabulary.get(w);
      const known = wordId !== undefined;
      if (known) knownIds.push(wordId);
      else unknown.push(w);
      // A word already in use is a real word: replacing it is a different name, not a typo.
      if (known && !borderline) continue;
      const found = this.neighbours(w, known);
      if (found.length > 0) (slots ??= [])[i] = found;
    }
    if (slots === null) return { unique: true, key };

    let best: { id: number; cost: number } | null = null;
    const close: BorderlineMatch[] = [];
    const alt = words.slice();
    const maxCost = maxEditsPerKey + (borderline ? 1 : 0);
    const tryKey = (cost: number, soft: SoftReason | null) => {
      const id = this.byKey.get(alt.join(" "));
      if (id === undefined) return;
      if (soft === null && cost <= maxEditsPerKey) {
        if (best === null || cost < best.cost || (cost === best.cost && id < best.id)) best = { id, cost };
      } else if (borderline && !close.some((c) => c.key === this.keys[id])) {
        close.push({ duplicateOf: this.texts[id]!, key: this.keys[id]!, reason: soft ?? "over-budget", cost });
      }
    };
    for (let i = 0; i < slots.length; i++) {
      for (const n1 of slots[i] ?? []) {
        if (n1.cost > maxCost) continue;
        alt[i] = n1.word;
        tryKey(n1.cost, n1.soft);
        for (let j = i + 1; j < slots.length; j++) {
          for (const n2 of slots[j] ?? []) {
            if (n1.cost + n2.cost > maxCost) continue;
            alt[j] = n2.word;
            tryKey(n1.cost + n2.cost, n1.soft ?? n2.soft);
          }
          alt[j] = words[j]!;
        }
        alt[i] = words[i]!;
      }
    }
    const found = best as { id: number; cost: number } | null;
    if (found !== null) return this.near(key, found.id, "typo");
    if (close.length === 0) return { unique: true, key };
    close.sort((x, y) => x.cost - y.cost);
    return { unique: true, key, borderline: close };
  }

  /** Known words within typo distance of `word`, through the deletion index. */
  private neighbours(word: string, known: boolean): Neighbour[] {
    const found: Neighbour[] = [];
    if (word.length < this.options.oneEditMinLength - 1 || word.length > MAX_INDEXED_WORD) return found;
    // Known words are indexed one deletion deep (memory), so a long candidate word goes two
    // deep: that finds every pair within two edits except a known word with two letters more
    // than the candidate (or one more and one changed). Such a pair is found the other way
    // round when the longer spelling comes second.
    const buf = this.variantBuffer;
    const n = deletionHashes(word, word.length >= this.options.twoEditsMinLength ? 2 : 1, buf);
    const stamp = ++this.stamp;
    const seen = this.wordSeen;
    const table = this.wordVariants;
    for (let k = 0; k < n; k++) {
      const h = buf[k]!;
      for (let r = table.first(h); r !== -1; r = table.nextSlot(r, h)) {
        const id = table.valueAt(r);
        if (seen[id] === stamp) continue;
        seen[id] = stamp;
        const other = this.vocabularyWords[id]!;
        const m = compareWords(word, other, this.options, this.wordEntries[id]! >= this.options.frequentWordMinEntries);
        if (m === null || (m.soft !== null && !this.options.borderline)) continue;
        found.push({ word: other, id, cost: m.cost, soft: known ? "known-word" : m.soft });
      }
    }
    if (found.length > 1) found.sort(byCostThenAge);
    if (found.length > this.options.maxNeighboursPerWord) found.length = this.options.maxNeighboursPerWord;
    return found;
  }

  private countWord(word: string): void {
    const id = this.vocabulary.get(word) ?? this.addWord(word);
    this.wordEntries[id]!++;
  }

  private addWord(word: string): number {
    const id = this.vocabularyWords.length;
    this.vocabulary.set(word, id);
    this.vocabularyWords.push(word);
    if (id >= this.wordSeen.length) {
      const seen = new Int32Array(this.wordSeen.length * 2);
      seen.set(this.wordSeen);
      this.wordSeen = seen;
      const entries = new Int32Array(this.wordEntries.length * 2);
      entries.set(this.wordEntries);
      this.wordEntries = entries;
    }
    if (word.length < this.options.oneEditMinLength - 1 || word.length > MAX_INDEXED_WORD) return id;
    const n = deletionHashes(word, 1, this.variantBuffer);
    const variants = this.variantBuffer.subarray(0, n).sort();
    for (let k = 0; k < n; k++) {
      if (k > 0 && variants[k] === variants[k - 1]) continue;
      this.wordVariants.add(variants[k]!, id);
    }
    return id;
  }

  // Order-free hash of the content words; `count` of them.
  private bagResult = { hash: 0, count: 0 };
  private bagHash(words: readonly string[]): { hash: number; count: number } {
    let hash = 0;
    let count = 0;
    for (const w of words) {
      if (BAG_STOPWORDS.has(w)) continue;
      hash = (hash + mix32(hashString(w))) | 0;
      count++;
    }
    this.bagResult.hash = hash;
    this.bagResult.count = count;
    return this.bagResult;
  }
}

export function createDedupEngine(options: Partial<DedupOptions> = {}): DedupEngine {
  const merged = { ...DEFAULT_DEDUP_OPTIONS, ...options };
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value === "number" && !(Number.isInteger(value) && value >= 0)) throw new RangeError(`dedup option ${name} must be a non-negative integer, got ${value}`);
  }
  return new DedupIndex(Object.freeze(merged));
}
