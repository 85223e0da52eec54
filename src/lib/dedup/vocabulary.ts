import { DELETION_BUFFER_SIZE, HashMultimap, MAX_INDEXED_WORD, deletionHashes } from "./hash-multimap";
import { compareWords, type EditKind, type SoftReason, type TypoThresholds } from "./typo";

/** A known word close enough to a candidate's word to be its typo (or borderline). */
export interface Neighbour {
  word: string;
  id: number;
  cost: number;
  soft: SoftReason | null;
  kind: EditKind;
  /** A transposition or doubled consonant, strong in context (see TypoThresholds.contextMinLetters). */
  slip: boolean;
}

export interface VocabularyOptions extends TypoThresholds {
  borderline: boolean;
  maxNeighboursPerWord: number;
  frequentWordMinEntries: number;
}

function byCostThenAge(a: Neighbour, b: Neighbour): number {
  return a.cost - b.cost || (a.soft === null ? 0 : 1) - (b.soft === null ? 0 : 1) || a.id - b.id;
}

/**
 * The words of the accepted entries, with how many entries use each, and a SymSpell-style
 * deletion index over them: each word's hash and the hashes of it with one letter deleted.
 * Words are found by (string, range, hash) so the caller never has to slice its key.
 */
export class Vocabulary {
  private readonly words: string[] = [];
  // Small at first, doubled as words come (an engine may hold only a few labels).
  private readonly byHash = new HashMultimap(16);
  private readonly variants = new HashMultimap(64);
  private entries = new Int32Array(16);
  private seen = new Int32Array(16);
  private stamp = 0;
  private readonly buffer = new Int32Array(DELETION_BUFFER_SIZE);

  constructor(private readonly options: Readonly<VocabularyOptions>) {}

  get size(): number {
    return this.words.length;
  }

  get variantCount(): number {
    return this.variants.count;
  }

  get bytes(): number {
    return this.byHash.bytes + this.variants.bytes + this.entries.byteLength + this.seen.byteLength;
  }

  /** The id of the word s[from, to), whose hashString is `hash`; -1 if unknown. */
  find(s: string, from: number, to: number, hash: number): number {
    const len = to - from;
    for (let r = this.byHash.first(hash); r !== -1; r = this.byHash.nextSlot(r, hash)) {
      const id = this.byHash.valueAt(r);
      const w = this.words[id]!;
      if (w.length !== len) continue;
      let i = 0;
      while (i < len && w.charCodeAt(i) === s.charCodeAt(from + i)) i++;
      if (i === len) return id;
    }
    return -1;
  }

  /** Adds a word that find() did not know; returns its id. */
  add(word: string, hash: number): number {
    const id = this.words.length;
    this.words.push(word);
    this.byHash.add(hash, id);
    if (id >= this.entries.length) {
      const entries = new Int32Array(this.entries.length * 2);
      entries.set(this.entries);
      this.entries = entries;
      this.seen = new Int32Array(this.entries.length);
      this.stamp = 0;
    }
    if (word.length < this.options.oneEditMinLength - 1 || word.length > MAX_INDEXED_WORD) return id;
    const n = deletionHashes(word, 1, this.buffer);
    const variants = this.buffer.subarray(0, n).sort();
    for (let k = 0; k < n; k++) if (k === 0 || variants[k] !== variants[k - 1]) this.variants.add(variants[k]!, id);
    return id;
  }

  /** One more entry uses word `id`. */
  count(id: number): void {
    this.entries[id]!++;
  }

  /** One entry fewer uses word `id` (the entry was removed). */
  uncount(id: number): void {
    if (this.entries[id]! > 0) this.entries[id]!--;
  }

  /** How many entries use word `id`; 0 once they were all removed. */
  entryCount(id: number): number {
    return this.entries[id]!;
  }

  /**
   * Known words within typo distance of `word`, closest first. Known words are indexed one
   * deletion deep (memory), so a long candidate word is probed two deep: that finds every pair
   * within two edits except a known word with two letters more than the candidate's (or one
   * more and one changed), which is found the other way round when it comes second.
   * `inLongerName`: the word is one of several in the candidate (frequent words count as generic).
   */
  neighbours(word: string, wordIsKnown: boolean, inLongerName: boolean): Neighbour[] {
    const found: Neighbour[] = [];
    const { options } = this;
    if (word.length < options.oneEditMinLength - 1 || word.length > MAX_INDEXED_WORD) return found;
    const n = deletionHashes(word, word.length >= options.twoEditsMinLength ? 2 : 1, this.buffer);
    const stamp = ++this.stamp;
    for (let k = 0; k < n; k++) {
      const h = this.buffer[k]!;
      for (let r = this.variants.first(h); r !== -1; r = this.variants.nextSlot(r, h)) {
        const id = this.variants.valueAt(r);
        if (this.seen[id] === stamp) continue;
        this.seen[id] = stamp;
        if (this.entries[id] === 0) continue;
        const other = this.words[id]!;
        // A common word is a generic part of names (Square, Tower) only inside a longer name: alone,
        // a name that many entries share a word with is often a name of its own (Gurani, Guarani).
        const frequent = inLongerName && this.entries[id]! >= options.frequentWordMinEntries;
        const m = compareWords(word, other, options, frequent);
        // Weak slips stay: the engine merges them when the rest of the name gives context.
        if (m === null || (m.soft !== null && !options.borderline && !(m.soft === "weak-evidence" && m.slip && !wordIsKnown))) continue;
        found.push({ word: other, id, cost: m.cost, soft: wordIsKnown ? "known-word" : m.soft, kind: m.kind, slip: m.slip });
      }
    }
    if (found.length > 1) found.sort(byCostThenAge);
    if (found.length > options.maxNeighboursPerWord) found.length = options.maxNeighboursPerWord;
    return found;
  }
}
