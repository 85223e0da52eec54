/**
 * The canonical key: two candidates with the same key are the same entry ("exact" duplicates).
 * Everything here is a pure surface rule; spelling mistakes and word order are near-duplicate
 * matters (see engine.ts). Rules, in order:
 *   - apostrophe variants -> ', NFKC, lower case, special letters (ß -> ss, ø -> o, æ -> ae, ...),
 *     Latin/Greek/Cyrillic diacritics, Arabic tashkeel and Hebrew points removed;
 *   - words are runs of letters and digits; ' inside a word joins it (O'Brien -> obrien) except
 *     after a French elided l'/d' (L'Arc -> l arc); & -> and, + -> plus, a # after a letter -> sharp
 *     (C# = C Sharp); every other character separates words;
 *   - "X, <qualifier>" is read as "<qualifier> X" when the qualifier ends with of/of the/de/...
 *     or is a bare article (Korea, Republic of -> republic of korea; Bahamas, The -> bahamas);
 *   - runs of single letters join (U.S.A. -> usa, J. R. R. Tolkien -> jrr tolkien);
 *   - leading articles go: the/a/an before at least one more word, l' likewise, le/la/les
 *     only before two or more words (La Tour Eiffel, but La Paz and Le Mans stay);
 *   - abbreviations expand (st -> saint, or street as the last word; mt -> mount; ft -> fort, ...);
 *   - regular plurals become singular (cities -> city, churches -> church, towers -> tower).
 */

export interface AnalysedCandidate {
  /** The canonical key; "" when the candidate has no letters or digits. */
  key: string;
  /** For a single-comma "X, Y" that was not read as a qualifier: the key of "Y X". */
  swappedKey: string | null;
}

const APOSTROPHES = /[\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032\uff07]/g;
const SPECIAL_LETTERS: Record<string, string> = {
  ß: "ss",
  ẞ: "ss",
  ø: "o",
  æ: "ae",
  œ: "oe",
  đ: "d",
  ð: "d",
  þ: "th",
  ł: "l",
  ħ: "h",
  ı: "i",
  ŀ: "l",
  ŧ: "t",
  ŋ: "n",
  ς: "σ",
};
const SPECIAL_LETTERS_RE = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join("")}]`, "g");
// Combining marks of Latin, Greek and Cyrillic, Arabic tashkeel, Hebrew points. Marks of
// Indic and other scripts are letters' vowels, not decoration, and stay.
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0591-\u05c7\u064b-\u065f\u0670]/g;
const NON_WORD_NON_ASCII = /[^\p{L}\p{N}\p{M}\u0000-\u007f]/gu;

/** Lower-cased, folded text where every non-ASCII character left is part of a word. */
function foldUnicode(text: string): string {
  let s = text.replace(APOSTROPHES, "'").normalize("NFKC").toLowerCase();
  // Special letters after the marks are gone: ǽ is æ plus an accent.
  s = s.normalize("NFD").replace(DIACRITICS, "").normalize("NFC");
  s = s.replace(SPECIAL_LETTERS_RE, (ch) => SPECIAL_LETTERS[ch] ?? ch);
  return s.replace(NON_WORD_NON_ASCII, " ");
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return false;
  return true;
}

// After folding, any char >= 0x80 is part of a word.
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0x80;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || c >= 0x80;
}

// Set by splitWords for its caller, to avoid allocating a result object per candidate.
let commaCount = 0;
let commaAt = 0;

function splitWords(s: string): string[] {
  const words: string[] = [];
  commaCount = 0;
  commaAt = 0;
  let start = -1;
  let joined = ""; // the part of a word before an in-word apostrophe
  const n = s.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    if (isWordChar(c)) {
      if (start < 0) start = i;
      continue;
    }
    if ((c === 39 || c === 96) && start >= 0 && i + 1 < n && isWordChar(s.charCodeAt(i + 1))) {
      const part = joined + s.slice(start, i);
      start = -1;
      if (part === "l" || part === "d") {
        words.push(part);
        joined = "";
      } else {
        joined = part;
      }
      continue;
    }
    if (start >= 0) {
      words.push(joined === "" ? s.slice(start, i) : joined + s.slice(start, i));
      start = -1;
      joined = "";
    }
    if (c === 38) words.push("and");
    else if (c === 43) words.push("plus");
    else if (c === 35 && i > 0 && isLetter(s.charCodeAt(i - 1))) words.push("sharp");
    else if (c === 44) {
      commaCount++;
      commaAt = words.length;
    }
  }
  return words;
}

const ARTICLES = new Set(["the", "a", "an", "le", "la", "les", "l"]);
const QUALIFIER_ENDINGS = new Set(["of", "de", "del", "du", "des", "di", "da", "von", "van"]);

/** "Republic of", "Democratic Republic of the", "The": a trailing qualifier ISO lists put after a comma. */
function isInvertedQualifier(right: string[]): boolean {
  const last = right[right.length - 1]!;
  if (QUALIFIER_ENDINGS.has(last)) return true;
  if (!ARTICLES.has(last)) return false;
  return right.length === 1 || QUALIFIER_ENDINGS.has(right[right.length - 2]!);
}

function joinSingleLetters(words: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < words.length; ) {
    let j = i;
    while (j < words.length && words[j]!.length === 1 && isLetter(words[j]!.charCodeAt(0))) j++;
    if (j - i >= 2) {
      out ??= words.slice(0, i);
      out.push(words.slice(i, j).join(""));
      i = j;
    } else {
      out?.push(words[i]!);
      i++;
    }
  }
  return out ?? words;
}

function leadingArticle(words: readonly string[], from: number): boolean {
  const first = words[from];
  const rest = words.length - from - 1;
  if (rest >= 1 && (first === "the" || first === "a" || first === "an" || first === "l")) return true;
  return rest >= 2 && (first === "le" || first === "la" || first === "les");
}

// Repeatedly, so that a key never starts with a droppable article (The La Brea Tar Pits).
function dropLeadingArticles(words: string[]): string[] {
  let from = 0;
  while (leadingArticle(words, from)) from++;
  return from === 0 ? words : words.slice(from);
}

const ABBREVIATIONS = new Map<string, string>(
  Object.entries({
    ste: "sainte",
    mt: "mount",
    mtn: "mountain",
    mts: "mountains",
    mtns: "mountains",
    ft: "fort",
    ave: "avenue",
    blvd: "boulevard",
    hwy: "highway",
    natl: "national",
    intl: "international",
    univ: "university",
    bros: "brothers",
    jr: "junior",
    sr: "senior",
    vs: "versus",
  }),
);
const LONGEST_ABBREVIATION = 4;

function expandAbbreviation(word: string, index: number, count: number): string {
  if (word.length > LONGEST_ABBREVIATION) return word;
  const last = index === count - 1 && count >= 2;
  switch (word) {
    case "st":
      return last ? "street" : "saint";
    case "rd":
      return last ? "road" : word;
    case "dr":
      return last ? "drive" : index === 0 && count >= 2 ? "doctor" : word;
    case "v":
      return index > 0 && !last ? "versus" : word;
    case "n":
      return index > 0 && !last ? "and" : word;
    default:
      return ABBREVIATIONS.get(word) ?? word;
  }
}

function hasDigit(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Regular English plurals only; irregular ones (mice, geese) and -oes stay as they are. */
export function singular(word: string): string {
  const n = word.length;
  if (n < 4 || word.charCodeAt(n - 1) !== 115 || hasDigit(word)) return word;
  if (n >= 5 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.endsWith("sses") || word.endsWith("xes") || word.endsWith("ches") || word.endsWith("shes") || word.endsWith("zzes")) {
    return word.slice(0, -2);
  }
  const before = word.charCodeAt(n - 2);
  if (before === 115 || before === 117 || before === 105) return word; // -ss, -us, -is: glass, campus, Paris
  return word.slice(0, -1);
}

function normaliseWords(raw: string[]): string[] {
  // raw is the caller's scratch array, so rewriting it in place is fine.
  const words = dropLeadingArticles(joinSingleLetters(raw));
  const count = words.length;
  for (let i = 0; i < count; i++) {
    const expanded = expandAbbreviation(words[i]!, i, count);
    const one = singular(expanded);
    // Aves -> ave -> avenue: a plural abbreviation expands once it is singular.
    words[i] = one === expanded ? one : singular(expandAbbreviation(one, i, count));
  }
  return words;
}

function generalKey(folded: string): AnalysedCandidate {
  const raw = splitWords(folded);
  let swapped: string[] | null = null;
  if (commaCount === 1 && commaAt > 0 && commaAt < raw.length) {
    const left = raw.slice(0, commaAt);
    const right = raw.slice(commaAt);
    if (isInvertedQualifier(right)) {
      raw.length = 0;
      raw.push(...right, ...left);
    } else {
      swapped = right.concat(left);
    }
  }
  const key = raw.length === 0 ? "" : normaliseWords(raw).join(" ");
  const swappedKey = swapped === null ? null : normaliseWords(swapped).join(" ");
  return { key, swappedKey: swappedKey === key ? null : swappedKey };
}

// Words of up to 4 letters packed 7 bits per char, so the fast path can spot them without slicing.
function packWord(s: string, from: number, to: number): number {
  let code = 0;
  for (let i = from; i < to; i++) code = code * 128 + s.charCodeAt(i);
  return code;
}
const pack = (w: string) => packWord(w, 0, w.length);
const LEADING_ARTICLE_CODES = new Set(["the", "a", "an", "l", "le", "la", "les"].map(pack));
const ABBREVIATION_CODES = new Set([...ABBREVIATIONS.keys(), "st", "rd", "dr", "v", "n"].map(pack));

const MAX_FAST_WORDS = 64;
const spanStart = new Int32Array(MAX_FAST_WORDS);
const spanEnd = new Int32Array(MAX_FAST_WORDS);

/**
 * The key of lower-cased ASCII text made of plain words and separators, without building word
 * arrays; null when a rule beyond plurals and separators applies (the general path handles it).
 * Same result as generalKey (a test checks this on generated text).
 */
function fastAsciiKey(s: string): string | null {
  const n = s.length;
  let count = 0;
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
      continue;
    }
    if (c === 39 || c === 96 || c === 38 || c === 43 || c === 35 || c === 44) return null;
    if (start >= 0) {
      if (count === MAX_FAST_WORDS) return null;
      spanStart[count] = start;
      spanEnd[count] = i;
      count++;
      start = -1;
    }
  }
  if (count === 0) return "";
  if (spanEnd[0]! - spanStart[0]! <= 3 && count >= 2 && LEADING_ARTICLE_CODES.has(packWord(s, spanStart[0]!, spanEnd[0]!))) return null;
  let plain = spanStart[0] === 0 && spanEnd[count - 1] === n;
  let changed = false;
  for (let w = 0; w < count; w++) {
    const from = spanStart[w]!;
    const to = spanEnd[w]!;
    const len = to - from;
    if (len === 1 && w + 1 < count && spanEnd[w + 1]! - spanStart[w + 1]! === 1 && s.charCodeAt(from) >= 97 && s.charCodeAt(spanStart[w + 1]!) >= 97) {
      return null; // a run of single letters
    }
    if (len <= LONGEST_ABBREVIATION && ABBREVIATION_CODES.has(packWord(s, from, to))) return null;
    if (len >= 4 && s.charCodeAt(to - 1) === 115) changed = true; // a plural to undo
    if (w > 0 && (from !== spanEnd[w - 1]! + 1 || s.charCodeAt(from - 1) !== 32)) plain = false;
  }
  if (plain && !changed) return s;
  let key = "";
  for (let w = 0; w < count; w++) {
    const word = s.slice(spanStart[w]!, spanEnd[w]!);
    const one = singular(word);
    if (one !== word && one.length <= LONGEST_ABBREVIATION && ABBREVIATION_CODES.has(pack(one))) return null;
    key += w === 0 ? one : " " + one;
  }
  return key;
}

export function analyseCandidate(text: string): AnalysedCandidate {
  if (isAscii(text)) {
    const lower = text.toLowerCase();
    const key = fastAsciiKey(lower);
    return key === null ? generalKey(lower) : { key, swappedKey: null };
  }
  return generalKey(foldUnicode(text));
}

/** The canonical key of a candidate (see the rules above); "" means junk. */
export function canonicalKey(text: string): string {
  if (isAscii(text)) {
    const lower = text.toLowerCase();
    return fastAsciiKey(lower) ?? generalKey(lower).key;
  }
  return generalKey(foldUnicode(text)).key;
}

/** The general path alone, for the test that pins the fast path to it. */
export function canonicalKeySlowPath(text: string): string {
  return generalKey(isAscii(text) ? text.toLowerCase() : foldUnicode(text)).key;
}
