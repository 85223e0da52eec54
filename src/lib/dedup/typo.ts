import { MAX_INDEXED_WORD } from "./hash-multimap";

/**
 * Is one word a typo of another? A cost (edits a typist plausibly makes) plus guards for
 * the distinct near-names that edit distance alone would merge.
 */

export interface TypoThresholds {
  /** One edit is allowed when the longer word has at least this many characters. */
  oneEditMinLength: number;
  /** Two edits when both words have at least this many characters. */
  twoEditsMinLength: number;
  // Precision first: the shortest word (the longer of the pair, in letters) in which string
  // evidence alone merges each kind of edit. Defaults measured on real name lists
  // (bench/dedup-quality.ts): below them distinct names differ by such edits (Shaanxi/Shanxi,
  // Kurrama/Kurama, Karaim/Karami, Bulgarian/Bolgarian, Zlinsky/Zilinsky).
  /** Two adjacent letters swapped (Eiffle/Eiffel). */
  transpositionMinLength: number;
  /** Only doubled letters differ (Carribean/Caribbean, Shaanxi/Shanxi). */
  doubledMinLength: number;
  /** i/y, c/k, s/z, v/w: transliterations (Tolstoi/Tolstoy). */
  transliterationMinLength: number;
  /** One vowel for another (Mediterranian, Petersberg). */
  vowelMinLength: number;
  /** One letter for its neighbour on a QWERTY keyboard. */
  keyboardMinLength: number;
  /** Any other inserted or dropped letter (Kyrgystan, Lichtenstein). */
  indelMinLength: number;
  /** Two edits of any kind but substitutions (two substitutions never merge). */
  multipleEditsMinLength: number;
  /**
   * A slip (a transposition, a doubled consonant or a keyboard neighbour) in one word of a name
   * whose other words are the same merges when the name has this many letters (Eiffel Towre,
   * Eifel Tower, Saint Jmaes): the rest of the name is the context a reader would use.
   */
  contextMinLetters: number;
}

/**
 * Why a close pair was not merged outright; such pairs form the borderline band.
 * "weak-evidence": an edit that distinct names also differ by at this word length.
 */
export type SoftReason = "affix" | "final-letter" | "over-budget" | "known-word" | "weak-evidence";

/** What kind of edit separates two words (see typoKind). */
export type EditKind = "transposition" | "doubled" | "doubled-vowel" | "transliteration" | "vowel" | "keyboard" | "indel" | "substitution" | "multiple";

export interface WordMatch {
  cost: number;
  soft: SoftReason | null;
  kind: EditKind;
  /** A transposition, doubled consonant or keyboard slip: strong evidence given enough context (contextMinLetters). */
  slip: boolean;
}

export function editBudget(lengthA: number, lengthB: number, t: TypoThresholds): number {
  if (Math.min(lengthA, lengthB) >= t.twoEditsMinLength) return 2;
  return Math.max(lengthA, lengthB) >= t.oneEditMinLength ? 1 : 0;
}

// Spelling variants as cheap as a dropped letter: Tolstoi/Tolstoy, organisation/organization,
// Tchaikovsky/Tchaikowsky. Any other substitution costs 2: one changed letter in a short word
// is more often another name than a slip (Iceland/Ireland, Shina/Shona, Nanning/Nanjing).
const CHEAP_PAIRS = ["iy", "ck", "sz", "vw"];

const CHEAP = (() => {
  const table = new Uint8Array(26 * 26);
  for (const pair of CHEAP_PAIRS) {
    const x = pair.charCodeAt(0) - 97;
    const y = pair.charCodeAt(1) - 97;
    table[x * 26 + y] = 1;
    table[y * 26 + x] = 1;
  }
  return table;
})();

function substitutionCost(a: number, b: number): number {
  if (a === b) return 0;
  const x = a - 97;
  const y = b - 97;
  return x >= 0 && x < 26 && y >= 0 && y < 26 && CHEAP[x * 26 + y] === 1 ? 1 : 2;
}

const ROW_A = new Int32Array(MAX_INDEXED_WORD + 2);
const ROW_B = new Int32Array(MAX_INDEXED_WORD + 2);
const ROW_C = new Int32Array(MAX_INDEXED_WORD + 2);

/**
 * Optimal-string-alignment distance with insertions, deletions and adjacent transpositions
 * at 1 and substitutions at substitutionCost; returns max + 1 as soon as it must exceed max.
 * Exported for tests.
 */
export function typoCost(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n > MAX_INDEXED_WORD || m > MAX_INDEXED_WORD) return max + 1;
  let prev2 = ROW_A;
  let prev = ROW_B;
  let cur = ROW_C;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const ca = a.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1]! + substitutionCost(ca, cb);
      const del = prev[j]! + 1;
      if (del < v) v = del;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca !== cb && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const t = prev2[j - 2]! + 1;
        if (t < v) v = t;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  const d = prev[m]!;
  return d > max ? max + 1 : d;
}

function hasDigit(word: string): boolean {
  return /\d/.test(word);
}

const ROMAN = /^(?=[mdclxvi])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$/;
// Not y: Tolstoy/Tolstoi is a transliteration, not another name.
const VOWELS = "aeiou";

function differOnlyInFinalVowel(a: string, b: string): boolean {
  const n = a.length;
  if (n !== b.length || n < 2) return false;
  const x = a[n - 1]!;
  const y = b[n - 1]!;
  return x !== y && VOWELS.includes(x) && VOWELS.includes(y) && a.slice(0, -1) === b.slice(0, -1);
}

// The longer word is the shorter with its first or last letter doubled.
function differsByDoubling(a: string, b: string): boolean {
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  const n = long.length;
  return (long[0] === long[1] && long.slice(1) === short) || (long[n - 1] === long[n - 2] && long.slice(0, -1) === short);
}

const QWERTY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const KEYBOARD = (() => {
  const table = new Uint8Array(26 * 26);
  const at = new Map<string, [number, number]>();
  QWERTY_ROWS.forEach((row, r) => [...row].forEach((ch, c) => at.set(ch, [r, c])));
  for (const [x, [r1, c1]] of at) {
    for (const [y, [r2, c2]] of at) {
      // Same row, next key; or the row above/below, the two keys that touch (staggered rows).
      const near = (r1 === r2 && Math.abs(c1 - c2) === 1) || (r2 === r1 + 1 && (c2 === c1 || c2 === c1 - 1)) || (r2 === r1 - 1 && (c2 === c1 || c2 === c1 + 1));
      if (near) table[(x.charCodeAt(0) - 97) * 26 + (y.charCodeAt(0) - 97)] = 1;
    }
  }
  return table;
})();

/** Neighbouring keys on a QWERTY keyboard (lower-case ASCII letters only). */
export function keyboardAdjacent(a: string, b: string): boolean {
  const x = a.charCodeAt(0) - 97;
  const y = b.charCodeAt(0) - 97;
  return x >= 0 && x < 26 && y >= 0 && y < 26 && KEYBOARD[x * 26 + y] === 1;
}

const VOWEL_SET = "aeiouy";

const NOT_RUNS = 0;
const CONSONANT_RUNS = 1;
const VOWEL_RUNS = 2;

/**
 * Whether two words differ only in how many times letters repeat (eiffel/eifel,
 * carribean/caribbean): NOT_RUNS if not, VOWEL_RUNS when a vowel's run differs (Shaanxi/Shanxi),
 * CONSONANT_RUNS otherwise.
 */
function runsDifference(a: string, b: string): number {
  let i = 0;
  let j = 0;
  let vowel = false;
  while (i < a.length && j < b.length) {
    const c = a.charCodeAt(i);
    if (c !== b.charCodeAt(j)) return NOT_RUNS;
    const i0 = i;
    const j0 = j;
    while (i < a.length && a.charCodeAt(i) === c) i++;
    while (j < b.length && b.charCodeAt(j) === c) j++;
    if (i - i0 !== j - j0 && VOWEL_SET.includes(a[i0]!)) vowel = true;
  }
  if (i !== a.length || j !== b.length) return NOT_RUNS;
  return vowel ? VOWEL_RUNS : CONSONANT_RUNS;
}

/**
 * The kind of edit between two different words: only doubled letters differ (a doubled
 * vowel apart: Shaanxi/Shanxi, Paama are spellings of their own), two adjacent letters swapped,
 * one letter substituted (transliteration pair, vowel for vowel, keyboard neighbour, other),
 * one letter inserted or dropped, or more than one edit.
 */
export function typoKind(a: string, b: string): EditKind {
  const runs = runsDifference(a, b);
  if (runs !== NOT_RUNS) return runs === VOWEL_RUNS ? "doubled-vowel" : "doubled";
  if (a.length === b.length) {
    let first = -1;
    let second = -1;
    let diffs = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      diffs++;
      if (first === -1) first = i;
      else second = i;
    }
    if (diffs === 2 && second === first + 1 && a[first] === b[second] && a[second] === b[first]) return "transposition";
    if (diffs !== 1) return "multiple";
    const x = a[first]!;
    const y = b[first]!;
    if (substitutionCost(x.charCodeAt(0), y.charCodeAt(0)) === 1) return "transliteration";
    if (VOWEL_SET.includes(x) && VOWEL_SET.includes(y)) return "vowel";
    return keyboardAdjacent(x, y) ? "keyboard" : "substitution";
  }
  if (Math.abs(a.length - b.length) === 1) {
    const [long, short] = a.length > b.length ? [a, b] : [b, a];
    let i = 0;
    while (i < short.length && long.charCodeAt(i) === short.charCodeAt(i)) i++;
    let k = i;
    while (k < short.length && long.charCodeAt(k + 1) === short.charCodeAt(k)) k++;
    if (k === short.length) return "indel";
  }
  return "multiple";
}

/** The shortest word (in characters, the longer of the pair) where `kind` alone is strong evidence. */
export function minLengthFor(kind: EditKind, t: TypoThresholds): number {
  switch (kind) {
    case "transposition":
      return t.transpositionMinLength;
    case "doubled":
    case "doubled-vowel":
      return t.doubledMinLength;
    case "transliteration":
      return t.transliterationMinLength;
    case "vowel":
      return t.vowelMinLength;
    case "keyboard":
      return t.keyboardMinLength;
    case "indel":
      return t.indelMinLength;
    case "multiple":
      return t.multipleEditsMinLength;
    case "substitution":
      return Infinity;
  }
}

/**
 * Compares a candidate's word with a known word. null: keep apart (different first letter,
 * digits or Roman numerals that differ, or too far). Otherwise the cost, the kind of edit, and
 * `soft` when the pair is close but one guard says it may be a different name: one word extends
 * the other (Niger/Nigeria, Georgia/Georgian; a one-letter extension of a `frequentKnown` word
 * counts as a slip), the final vowel changes (Hindi/Hindu, Maria/Mario), the cost is one over
 * the budget, or the edit is weak evidence at this length (see TypoThresholds). An edit of a
 * `frequentKnown` word (used by many entries: Square, Tower) is strong from oneEditMinLength,
 * substitutions of unrelated letters apart.
 */
export function compareWords(candidate: string, known: string, t: TypoThresholds, frequentKnown = false): WordMatch | null {
  if (candidate.charCodeAt(0) !== known.charCodeAt(0)) return null;
  if (hasDigit(candidate) || hasDigit(known)) return null;
  if (ROMAN.test(candidate) && ROMAN.test(known)) return null;
  const budget = editBudget(candidate.length, known.length, t);
  const cost = typoCost(candidate, known, budget + 1);
  if (cost > budget + 1 || cost === 0) return null;
  const kind = typoKind(candidate, known);
  const slip = kind === "transposition" || kind === "doubled" || kind === "keyboard";
  let soft: SoftReason | null = null;
  if (known.startsWith(candidate) || candidate.startsWith(known) || known.endsWith(candidate) || candidate.endsWith(known)) {
    // One letter more or less is still a slip when it doubles its neighbour (SStation) or
    // when the known word is a common one (Squar for Square); a rarer name with an extra
    // letter is usually another name (Georgia/Georgian, Bengal/Bengali).
    const oneLetter = Math.abs(candidate.length - known.length) === 1;
    if (!oneLetter || !(frequentKnown || differsByDoubling(candidate, known))) soft = "affix";
  } else if (differOnlyInFinalVowel(candidate, known)) {
    soft = "final-letter";
  } else if (cost > budget && !((kind === "transposition" || kind === "keyboard") && candidate.length >= 4)) {
    // Over the search budget but still slips, for the context rule: a swap in a four-letter
    // word (Saint Jmaes), a neighbouring key (Kastrel Bridgr; substitutions cost 2).
    soft = "over-budget";
  }
  if (soft === null) {
    const length = Math.max(candidate.length, known.length);
    const needed = frequentKnown && kind !== "substitution" && kind !== "multiple" ? t.oneEditMinLength : minLengthFor(kind, t);
    if (length < needed) soft = "weak-evidence";
  }
  return { cost, soft, kind, slip };
}
