import type { TypoThresholds } from "./typo";

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
  /** Candidate generation beyond edit distance (src/lib/dedup/blocking.ts): unique results carry `candidates`. */
  blocking: boolean;
  /** Candidate entries per unique candidate (the judge's top-k). */
  maxCandidates: number;
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
  blocking: false,
  maxCandidates: 3,
  transpositionMinLength: 7,
  doubledMinLength: 9,
  transliterationMinLength: 7,
  vowelMinLength: 10,
  keyboardMinLength: 10,
  indelMinLength: 10,
  multipleEditsMinLength: 13,
  contextMinLetters: 9,
});
