import { canonicalKey } from "./canonical-key";
import { ChainMultimap, deletionHashes, HashMultimap, hashString, MAX_INDEXED_WORD } from "./hash-multimap";
import { letterPrint } from "./key-scan";

/**
 * Candidate generation (blocking) beyond edit distance: which accepted entries a new candidate
 * should be compared with by a judge. Nothing found here merges by itself: a candidate entry is
 * only a pair worth asking about. Sources:
 *
 * - `designator`: the same name without designators and function words ("Republic of Fiji" /
 *   "Fiji", "Canterbury Region" / "Canterbury", "Bolivia, Plurinational State of" / "Bolivia");
 * - `containment`: a designated name whose remaining words start with the other name
 *   ("Xinjiang Uyghur Autonomous Region" / "Xinjiang");
 * - `description`: "X (...)", "X - ...", "X: ..." next to "X";
 * - `acronym`: an all-capitals word and the initials of a longer name ("USA" / "United States
 *   of America");
 * - `slip`: the letters (case, accents, spaces and punctuation ignored) one edit apart, first
 *   letter included ("Midway sIlands", "Souss-aMssa", "Pas-de-Calias");
 * - `alias`: another name of an entry suggested by a model (or the simulator), see
 *   DedupEngine.suggestAlias.
 */
export type CandidateSource = "alias" | "description" | "designator" | "acronym" | "containment" | "slip" | "typo";

export const CANDIDATE_SOURCES: readonly CandidateSource[] = ["alias", "description", "designator", "acronym", "containment", "slip", "typo"];

export interface CandidateMatch {
  /** The accepted entry worth comparing with. */
  duplicateOf: string;
  source: CandidateSource;
}

/**
 * Words that qualify a name rather than name it. Measured on the evaluation set (places): with
 * this list, 0.05 designator pairs per name; names made only of these words are not indexed.
 */
const DESIGNATORS = new Set([
  "republic",
  "kingdom",
  "state",
  "free",
  "plurinational",
  "federal",
  "federative",
  "federated",
  "democratic",
  "people",
  "popular",
  "islamic",
  "socialist",
  "bolivarian",
  "oriental",
  "commonwealth",
  "principality",
  "grand",
  "duchy",
  "sultanate",
  "emirate",
  "hashemite",
  "independent",
  "cooperative",
  "union",
  "province",
  "county",
  "city",
  "region",
  "district",
  "municipality",
  "department",
  "territory",
  "prefecture",
  "oblast",
  "governorate",
  "autonomous",
  "special",
  "administrative",
  "capital",
  "metropolitan",
  "sheng",
  "shi",
  "zizhiqu",
  "krai",
  "kraj",
  "okrug",
  "voivodeship",
  "canton",
  "parish",
  "borough",
  "council",
  "area",
  "community",
  "commune",
  "departement",
  "provincia",
  "comunidad",
  "estado",
  "rayon",
  "dependency",
  "division",
  "unitary",
  "authority",
  "local",
  "rural",
  "of",
  "the",
  "de",
  "del",
  "des",
  "du",
  "la",
  "le",
  "les",
  "and",
]);

/** Core words shorter than this do not make a containment key (too many names start with "San"). */
const CONTAINMENT_MIN_LETTERS = 5;
/** Letters of a text below which a one-edit slip is not indexed: short names are one edit from many others. */
export const SLIP_MIN_LETTERS = 3;
/** Longest acronym looked up. */
const ACRONYM_MAX = 6;

/** "X (...)", "X - ...", "X: ..." -> "X"; null when the text has no trailing description. */
export function descriptionBase(text: string): string | null {
  // Most texts have none of the separators: no regex for them (the hot path of every new entry).
  if (!/[(:\-–—]/.test(text)) return null;
  const t = text.trim();
  let m = /^(.*?\S)\s*\([^()]*\)\s*\.?$/u.exec(t);
  if (m && /[\p{L}\p{N}]/u.test(m[1]!)) return m[1]!;
  m = /^(.*?\S)\s+[-–—]\s+\S.*$/u.exec(t);
  if (m && /[\p{L}\p{N}]/u.test(m[1]!)) return m[1]!;
  m = /^([^:]*?\S):\s+\S.*$/u.exec(t);
  if (m && /[\p{L}\p{N}]/u.test(m[1]!)) return m[1]!;
  return null;
}

/** The key without designators and function words, or null when nothing (or everything) was removed. */
export function coreOf(key: string): string | null {
  const words = key.split(" ");
  const core = words.filter((w) => !DESIGNATORS.has(w));
  if (core.length === 0 || core.length === words.length) return null;
  return core.join(" ");
}

/** Initials of a name of two or more content words ("united states of america" -> "usa"). */
export function acronymOf(key: string): string | null {
  const words = key.split(" ").filter((w) => w !== "of" && w !== "the" && w !== "and" && w !== "de");
  if (words.length < 2 || words.length > ACRONYM_MAX) return null;
  return words.map((w) => w[0]).join("");
}

/** Looks like an acronym: one word of 2..6 capitals ("USA", "UK", "DRC"). */
export function isAcronymText(text: string): boolean {
  const t = text.trim().replace(/\./g, "");
  return t.length >= 2 && t.length <= ACRONYM_MAX && /^\p{Lu}+$/u.test(t);
}

export interface Stem {
  stem: string;
  source: CandidateSource;
}

/** The blocking keys of a text whose canonical key is `key`: what it is indexed and looked up under. */
export function stemsOf(text: string, key: string): Stem[] {
  const out: Stem[] = [];
  const add = (stem: string | null, source: CandidateSource) => {
    if (stem === null || stem === "" || stem === key || out.some((s) => s.stem === stem)) return;
    out.push({ stem, source });
  };
  const base = descriptionBase(text);
  const baseKey = base === null ? null : canonicalKey(base);
  add(baseKey, "description");
  const core = coreOf(key);
  add(core, "designator");
  if (baseKey) add(coreOf(baseKey), "description");
  if (core?.includes(" ")) {
    const first = core.slice(0, core.indexOf(" "));
    if (first.length >= CONTAINMENT_MIN_LETTERS) add(first, "containment");
  }
  // "United Kingdom of Great Britain and Northern Ireland" / "United Kingdom".
  const words = key.split(" ");
  if (words.length >= 3 && !DESIGNATORS.has(words[1]!)) add(`${words[0]} ${words[1]}`, "containment");
  // "French Republic" / "France", "Gabonese Republic" / "Gabon": an adjective of a one-word name.
  if (core !== null && !core.includes(" ") && core.length >= ADJECTIVE_PREFIX) add(`${ADJECTIVE_MARK}${core.slice(0, ADJECTIVE_PREFIX)}`, "designator");
  return out;
}

/** Letters an adjective shares with its name at least ("fran" in France / French). */
const ADJECTIVE_PREFIX = 4;
/** Marks an adjective stem: no canonical key starts with a control character. */
const ADJECTIVE_MARK = "\u0001";

/** The adjective stem a one-word key probes, or null. */
export function adjectiveProbe(key: string): string | null {
  return key.length >= ADJECTIVE_PREFIX && !key.includes(" ") ? `${ADJECTIVE_MARK}${key.slice(0, ADJECTIVE_PREFIX)}` : null;
}

/** "french" / "france", "gabonese" / "gabon", "czech" / "czechia": one word the other's adjective or short form. */
export function adjectival(a: string, b: string): boolean {
  if (a.includes(" ") || b.includes(" ") || a === b) return false;
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  return p >= Math.max(ADJECTIVE_PREFIX, Math.min(a.length, b.length) - 2);
}

/** True when a and b (letter prints) are one insertion, deletion, substitution or adjacent transposition apart. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > 1) return false;
  let i = 0;
  while (i < n && i < m && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (n === m) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < n && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return n > m ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Hashes of a print and its one-letter deletions, without building the strings. */
const DELETIONS = new Int32Array(1 + MAX_INDEXED_WORD);

function printDeletionHashes(print: string): { hashes: Int32Array; count: number } {
  if (print.length <= MAX_INDEXED_WORD) return { hashes: DELETIONS, count: deletionHashes(print, 1, DELETIONS) };
  // Longer than the index's words: rare, built the slow way.
  const hashes = new Int32Array(print.length + 1);
  hashes[0] = hashString(print);
  for (let i = 0; i < print.length; i++) hashes[i + 1] = hashString(print.slice(0, i) + print.slice(i + 1));
  return { hashes, count: print.length + 1 };
}

/** A possibly stale or colliding hit: the engine verifies it against the entry's text. */
export interface BlockHit {
  id: number;
  source: CandidateSource;
  /** The blocking key that matched. */
  stem?: string;
}

/** Entry ids packed with their source in the index values. */
const SOURCE_BITS = 3;
const SOURCE_CODE = new Map<CandidateSource, number>(CANDIDATE_SOURCES.map((s, i) => [s, i]));

/**
 * The blocking indexes of one engine: stems (designator cores, description bases, containment
 * heads, suggested aliases, acronyms) and letter-print deletion variants (slips). Values are entry
 * ids; the engine verifies that an id is alive and that its text really yields the matched key.
 */
export class CandidateIndex {
  private readonly stems = new ChainMultimap();
  private readonly acronyms = new ChainMultimap();
  /** All-capitals entries ("USA") by their first two letters: the initials of a shorter name find them ("United States"). */
  private readonly capitals = new ChainMultimap();
  private readonly prints = new HashMultimap(16);
  private readonly printDeletions = new HashMultimap(16);
  /** Suggested aliases: alias key -> entry id, verified against aliasKeys. */
  private readonly aliasKeys: string[] = [];
  private readonly aliasIds: number[] = [];
  private readonly aliases = new HashMultimap(16);

  get bytes(): number {
    return this.stems.bytes + this.acronyms.bytes + this.capitals.bytes + this.prints.bytes + this.printDeletions.bytes + this.aliases.bytes;
  }

  add(id: number, text: string, key: string): void {
    for (const s of stemsOf(text, key)) this.stems.add(hashString(s.stem), (id << SOURCE_BITS) | SOURCE_CODE.get(s.source)!);
    const adjective = adjectiveProbe(key);
    if (adjective !== null) this.stems.add(hashString(adjective), (id << SOURCE_BITS) | SOURCE_CODE.get("designator")!);
    const acronym = acronymOf(key);
    if (acronym !== null) this.acronyms.add(hashString(acronym), id);
    if (isAcronymText(text)) this.capitals.add(hashString(key.slice(0, 2)), id);
    const print = letterPrint(text);
    if (print.length >= SLIP_MIN_LETTERS) {
      const { hashes, count } = printDeletionHashes(print);
      this.prints.add(hashes[0]!, id);
      for (let i = 1; i < count; i++) this.printDeletions.add(hashes[i]!, id);
    }
  }

  addAlias(id: number, aliasKey: string): void {
    this.aliases.add(hashString(aliasKey), this.aliasKeys.length);
    this.aliasKeys.push(aliasKey);
    this.aliasIds.push(id);
  }

  /**
   * Candidate entry ids for a text, with their source, in source priority order (may repeat an id
   * or hold stale ids: the caller verifies and deduplicates). `keyIds(key)` is the engine's exact
   * lookup.
   */
  lookup(text: string, key: string, keyIds: (key: string) => number): BlockHit[] {
    const out: BlockHit[] = [];
    /** `source` null: the pair is named by the entry's side (its own stem is this key). */
    const probeStem = (stem: string, source: CandidateSource | null) => {
      const h = hashString(stem);
      for (let r = this.stems.first(h); r !== -1; r = this.stems.nextSlot(r, h)) {
        const v = this.stems.valueAt(r);
        const theirs = CANDIDATE_SOURCES[v & ((1 << SOURCE_BITS) - 1)]!;
        // The weaker of the two sides names the pair: "French Republic" meets "French Guiana" by containment.
        const named = theirs === "containment" || source === "containment" ? "containment" : (source ?? theirs);
        out.push({ id: v >>> SOURCE_BITS, source: named, stem });
      }
    };
    const probeAlias = (k: string) => {
      const h = hashString(k);
      for (let r = this.aliases.first(h); r !== -1; r = this.aliases.nextSlot(r, h)) {
        const a = this.aliases.valueAt(r);
        if (this.aliasKeys[a] === k) out.push({ id: this.aliasIds[a]!, source: "alias" });
      }
    };
    probeAlias(key);
    const mine = stemsOf(text, key);
    for (const s of mine) probeAlias(s.stem);
    // An entry whose own stem is this key ("Fiji" next to "Republic of Fiji").
    probeStem(key, null);
    const adjective = adjectiveProbe(key);
    if (adjective !== null) probeStem(adjective, "designator");
    for (const s of mine) {
      const id = keyIds(s.stem);
      if (id !== -1) out.push({ id, source: s.source, stem: s.stem });
      probeStem(s.stem, s.source);
    }
    if (isAcronymText(text)) {
      // "USA": names whose initials are "usa", or a prefix of it ("United States").
      for (let n = key.length; n >= 2; n--) {
        const h = hashString(key.slice(0, n));
        for (let r = this.acronyms.first(h); r !== -1; r = this.acronyms.nextSlot(r, h)) out.push({ id: this.acronyms.valueAt(r), source: "acronym" });
      }
    } else {
      const acronym = acronymOf(key);
      if (acronym !== null) {
        // "United States": the entry "US", or an all-capitals entry its initials start ("USA").
        const h = hashString(acronym.slice(0, 2));
        for (let r = this.capitals.first(h); r !== -1; r = this.capitals.nextSlot(r, h))
          out.push({ id: this.capitals.valueAt(r), source: "acronym", stem: acronym });
      }
    }
    this.probeSlips(letterPrint(text), "slip", out);
    // "Argentine Republic" / "Argentina": the core one edit from an entry.
    for (const s of mine) if (s.source === "designator") this.probeSlips(s.stem.replaceAll(" ", ""), "designator", out);
    return out;
  }

  private probeSlips(print: string, source: CandidateSource, out: BlockHit[]): void {
    if (print.length < SLIP_MIN_LETTERS - 1) return;
    const probe = (map: HashMultimap, h: number) => {
      for (let r = map.first(h); r !== -1; r = map.nextSlot(r, h)) out.push({ id: map.valueAt(r), source, stem: print });
    };
    const { hashes, count } = printDeletionHashes(print);
    // An entry one letter longer (the candidate lost a letter), then one letter shorter or one
    // substitution / transposition away (both with a letter deleted).
    probe(this.printDeletions, hashes[0]!);
    for (let i = 1; i < count; i++) {
      const h = hashes[i]!;
      probe(this.prints, h);
      probe(this.printDeletions, h);
    }
  }
}
