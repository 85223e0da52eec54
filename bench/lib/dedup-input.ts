import { seededRng } from "../../src/lib/stats/math";

/**
 * Deterministic candidate stream for the dedup benchmark: realistic multi-word names
 * ("Lake Velmora", "Church of Saint Andrin", "Kastrel River Bridge") from a large invented
 * vocabulary, mixed with exact repeats, surface variants, typos and reordered names of
 * earlier ones. Each line carries its ground truth so the bench can report recall and
 * false merges alongside speed.
 */

export const TRUTH = { new: 0, repeat: 1, surface: 2, typo: 3, reorder: 4 } as const;
export type Truth = (typeof TRUTH)[keyof typeof TRUTH];
export const TRUTH_NAMES = ["new", "repeat", "surface", "typo", "reorder"] as const;

export interface CandidateStream {
  lines: string[];
  truth: Uint8Array;
}

const ONSETS = [
  "b",
  "br",
  "c",
  "ch",
  "d",
  "dr",
  "f",
  "g",
  "gr",
  "h",
  "j",
  "k",
  "kr",
  "l",
  "m",
  "n",
  "p",
  "pr",
  "r",
  "s",
  "sh",
  "st",
  "t",
  "tr",
  "v",
  "w",
  "z",
  "th",
  "bl",
  "cl",
  "fl",
  "sl",
];
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "io"];
const CODAS = ["", "", "", "n", "r", "l", "s", "m", "nd", "rt", "x", "th", "ck", "ll", "st", "rn", "ld"];
const ENDINGS = ["", "", "", "ia", "on", "ar", "el", "a", "o", "ton", "ville", "berg", "ford", "ani", "wick", "mont", "ine", "ley", "ham", "dale"];

// Place and thing words that real names repeat endlessly.
const FEATURES = [
  "Lake",
  "River",
  "Bridge",
  "Tower",
  "Castle",
  "Palace",
  "Church",
  "Cathedral",
  "Museum",
  "Gallery",
  "Park",
  "Garden",
  "Square",
  "Station",
  "Street",
  "Avenue",
  "Road",
  "Harbour",
  "Bay",
  "Island",
  "Valley",
  "Hill",
  "Falls",
  "Forest",
  "Abbey",
  "Chapel",
  "Theatre",
  "Library",
  "University",
  "College",
  "School",
  "Hospital",
  "Market",
  "Hall",
  "House",
  "Manor",
  "Fort",
  "Lighthouse",
  "Canyon",
  "Glacier",
  "Peak",
  "Ridge",
  "Pass",
  "Beach",
  "Reservoir",
  "Dam",
  "Canal",
  "Monastery",
  "Temple",
  "Mosque",
  "Synagogue",
  "Stadium",
  "Arena",
  "Airport",
  "Observatory",
  "Zoo",
  "Aquarium",
  "Cemetery",
  "Mill",
  "Quarry",
  "Mine",
  "Springs",
  "Wells",
  "Creek",
  "Brook",
];
const PREFIXES = [
  "Saint",
  "Mount",
  "Fort",
  "Lake",
  "Port",
  "Cape",
  "New",
  "Old",
  "North",
  "South",
  "East",
  "West",
  "Upper",
  "Lower",
  "Great",
  "Little",
  "Royal",
];
const QUALIFIERS = ["National", "Central", "Municipal", "Memorial", "Historic", "Grand", "Botanical", "Natural", "Maritime", "Imperial"];
const ACCENTED: Record<string, string> = { e: "é", a: "á", o: "ö", u: "ü", i: "í" };

function titleCase(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export function generateCandidates(count: number, seed: number, newShare = 0.74): CandidateStream {
  const rnd = seededRng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => rnd() < p;

  const pool = new Set<string>();
  while (pool.size < 120_000) {
    let w = "";
    const syllables = chance(0.6) ? 2 : 3;
    for (let i = 0; i < syllables; i++)
      w += (i === 0 && chance(0.1) ? "" : pick(ONSETS)) + pick(VOWELS) + (i === syllables - 1 ? pick(CODAS) : chance(0.15) ? pick(CODAS) : "");
    w += pick(ENDINGS);
    if (w.length >= 4 && w.length <= 12) pool.add(titleCase(w));
  }
  const proper = [...pool];
  // Popular words come back far more often, like real toponyms.
  const properWord = () => proper[Math.floor(proper.length * rnd() * rnd())]!;

  const baseName = (): string => {
    switch (int(12)) {
      case 0:
        return properWord();
      case 1:
      case 2:
        return `${properWord()} ${pick(FEATURES)}`;
      case 3:
        return `${pick(PREFIXES)} ${properWord()}`;
      case 4:
        return `${pick(FEATURES)} of ${properWord()}`;
      case 5:
        return `${properWord()} ${properWord()}`;
      case 6:
        return `${properWord()} ${pick(FEATURES)} ${pick(FEATURES)}`;
      case 7:
        return `${pick(QUALIFIERS)} ${pick(FEATURES)} of ${properWord()}`;
      case 8:
        return `${pick(FEATURES)} of Saint ${properWord()}`;
      case 9:
        return `${properWord()}-${properWord()}`;
      case 10:
        return `${properWord()} ${pick(QUALIFIERS)} ${pick(FEATURES)}`;
      default:
        return `${pick(PREFIXES)} ${properWord()} ${pick(FEATURES)}`;
    }
  };

  const surface = (name: string): string => {
    switch (int(10)) {
      case 0:
        return name.toLowerCase();
      case 1:
        return name.toUpperCase();
      case 2:
        return `The ${name}`;
      case 3:
        return name.replaceAll(" ", "-");
      case 4:
        return `${name}${pick([".", " ", ";", "!"])}`;
      case 5: {
        const i = name.search(/[eaoui](?=[^ ]*$)/);
        return i < 0 ? name.toLowerCase() : name.slice(0, i) + ACCENTED[name[i]!]! + name.slice(i + 1);
      }
      case 6:
        if (name.includes("Saint ")) return name.replace("Saint ", "St. ");
        if (name.startsWith("Mount ")) return name.replace("Mount ", "Mt. ");
        if (name.startsWith("Fort ")) return name.replace("Fort ", "Ft ");
        return `the ${name.toLowerCase()}`;
      case 7: {
        // Plurals happen to the common noun, not to the proper name.
        const last = name.slice(name.lastIndexOf(" ") + 1);
        return FEATURES.includes(last) && /[a-rt-z]$/.test(last) ? `${name}s` : name.toLowerCase();
      }
      case 8:
        return `"${name}"`;
      default:
        return name.replaceAll(" ", "  ");
    }
  };

  // One typing slip inside a word, never on its first letter.
  const slip = (w: string): string => {
    const i = 1 + int(w.length - 1);
    switch (int(4)) {
      case 0:
        return w.slice(0, i) + w.slice(i + 1);
      case 1:
        return w.slice(0, i) + w[i - 1] + w.slice(i);
      case 2:
        return i < w.length - 1 ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : w.slice(0, i) + w.slice(i + 1);
      default:
        return w.slice(0, i) + String.fromCharCode(97 + int(26)) + w.slice(i + 1);
    }
  };

  const typo = (name: string): string | null => {
    const words = name.split(/([ -])/);
    const slots = words.map((w, i) => (w.length >= 5 ? i : -1)).filter((i) => i >= 0);
    if (slots.length === 0) return null;
    const i = pick(slots);
    words[i] = slip(words[i]!);
    if (chance(0.25)) {
      const j = pick(slots);
      words[j] = slip(words[j]!);
    }
    return words.join("");
  };

  const reorder = (name: string): string | null => {
    const m = /^(.+) of (.+)$/.exec(name);
    if (m) return `${m[2]} ${m[1]}`;
    const words = name.split(" ");
    if (words.length >= 3) return [...words.slice(1), words[0]].join(" ");
    return null;
  };

  const lines: string[] = new Array(count);
  const truth = new Uint8Array(count);
  const bases: string[] = [];
  const signatures = new Set<string>();
  for (let n = 0; n < count; n++) {
    if (bases.length < 100 || chance(newShare)) {
      let name = baseName();
      let sig = name
        .toLowerCase()
        .replace(/\bof\b|[^a-z ]/g, " ")
        .split(/ +/)
        .filter(Boolean)
        .sort()
        .join(" ");
      while (signatures.has(sig)) {
        name = baseName();
        sig = name
          .toLowerCase()
          .replace(/\bof\b|[^a-z ]/g, " ")
          .split(/ +/)
          .filter(Boolean)
          .sort()
          .join(" ");
      }
      signatures.add(sig);
      bases.push(name);
      lines[n] = name;
      truth[n] = TRUTH.new;
      continue;
    }
    const base = bases[int(bases.length)]!;
    const r = rnd();
    let text: string | null = null;
    let kind: Truth = TRUTH.surface;
    if (r < 0.4) {
      text = base;
      kind = TRUTH.repeat;
    } else if (r < 0.75) {
      text = surface(base);
    } else if (r < 0.9) {
      text = typo(base);
      kind = TRUTH.typo;
    } else {
      text = reorder(base);
      kind = TRUTH.reorder;
    }
    if (text === null) {
      text = surface(base);
      kind = TRUTH.surface;
    }
    lines[n] = text;
    truth[n] = kind;
  }
  return { lines, truth };
}
