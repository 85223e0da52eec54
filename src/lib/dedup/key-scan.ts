// The dedup engine's text and key helpers, and the per-call scratch state it reuses on the hot path.

const MARKS = /\p{M}/gu;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/** The letters and digits of a text, lower case, without accents: what survives any re-spacing or punctuation slip. */
export function letterPrint(text: string): string {
  return text.normalize("NFD").replace(MARKS, "").toLowerCase().replace(NOT_LETTER_OR_DIGIT, "");
}

// Function words ignored when comparing word bags ("Catacombs of Paris" = "Paris Catacombs").
const BAG_STOPWORDS = ["of", "the", "a", "an", "and", "de", "des", "du", "del", "di", "da", "la", "le", "les", "l", "d"];

// Words of up to 4 characters packed 8 bits each, to test for stop words without slicing.
function packWord(s: string, from: number, to: number): number {
  let code = 0;
  for (let i = from; i < to; i++) code = code * 256 + (s.charCodeAt(i) & 0xff);
  return code;
}
const STOPWORD_CODES = new Set(BAG_STOPWORDS.map((w) => packWord(w, 0, w.length)));

export function isStopword(s: string, from: number, to: number): boolean {
  if (to - from > 4) return false;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return STOPWORD_CODES.has(packWord(s, from, to));
}

export function contentWords(key: string): string[] {
  return key
    .split(" ")
    .filter((w) => !isStopword(w, 0, w.length))
    .sort();
}

/**
 * Per-word facts about the last key scanned, in reusable typed arrays, so the hot path
 * neither splits the key nor allocates per word. Keys are words joined by single spaces.
 */
export class KeyScan {
  count = 0;
  from = new Int32Array(32);
  to = new Int32Array(32);
  hash = new Int32Array(32);
  /** Vocabulary id, -1 for a word not in the vocabulary. */
  id = new Int32Array(32);
  unknown = 0;
  /** Hash of the key without spaces, 0 when too short for a spacing match. */
  spacingHash = 0;
  /** Order-free hash of the content words, and how many there are. */
  bagHash = 0;
  bagCount = 0;

  grow(): void {
    const n = this.from.length * 2;
    for (const name of ["from", "to", "hash", "id"] as const) {
      const next = new Int32Array(n);
      next.set(this[name]);
      this[name] = next;
    }
  }
}

/** What check() left for an accept() of the same text right after (check-then-accept). */
export class LastCheck {
  text: string | null = null;
  key = "";
  keyHash = 0;
  swappedKey: string | null = null;
  /** The index version when check() ran; an accept or remove in between makes the check stale. */
  version = -1;
  /** check() found no entry with this key. */
  absent = false;
  /** engine.scan describes this key. */
  scanned = false;
}
