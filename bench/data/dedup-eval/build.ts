/**
 * Builds the dedup evaluation set from real public name lists installed on this machine
 * (Debian packages iso-codes and tzdata; see SOURCES.md). Run once, commit the output:
 *
 *   apt-get install iso-codes tzdata && npx tsx bench/data/dedup-eval/build.ts
 *
 * Output, one JSON file per topic (places, languages, currencies, scripts):
 *   names     distinct real names (after a minimal fold of case, accents, punctuation and
 *             spacing, which no-one calls two names);
 *   variants  [text, index of the name it spells, class]: labelled duplicates, either real
 *             (aliases and inverted names the source lists) or generated from the name by one
 *             rule of the class (seeded, so the files are reproducible);
 *   close     [i, j, edits]: hard negatives, distinct names of the list within two edits.
 * and issue-pairs.json: the distinct pairs named in issue 10, across topics.
 *
 * Only bench/dedup-quality.ts reads these files; nothing here is a runtime dependency.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seededRng } from "../../../src/lib/stats/math";

const ISO = "/usr/share/iso-codes/json";
const ZONEINFO = "/usr/share/zoneinfo";
const OUT = path.dirname(fileURLToPath(import.meta.url));

export const VARIANT_CLASSES = [
  // surface: what a reader would not even call a spelling difference
  "case",
  "accents",
  "punctuation",
  "article",
  "abbreviation",
  "plural",
  // order and real aliases
  "inversion",
  "alias",
  // typos
  "transposition",
  "transposition-space",
  "insertion",
  "deletion",
  "doubled",
  "keyboard",
] as const;
export type VariantClass = (typeof VARIANT_CLASSES)[number];

interface IsoFile<T> {
  [standard: string]: T[];
}
type IsoRecord = { name: string; official_name?: string; common_name?: string; inverted_name?: string; type?: string };

function iso(file: string, standard: string): IsoRecord[] {
  return (JSON.parse(readFileSync(path.join(ISO, file), "utf8")) as IsoFile<IsoRecord>)[standard]!;
}

/** The fold under which two strings are one name: case, accents, apostrophes, punctuation, spacing, St = Saint. */
function fold(s: string): string {
  return s
    .replace(/\bSt\.? (?=\p{Lu})/gu, "Saint ")
    .replace(/\bSte\.? (?=\p{Lu})/gu, "Sainte ")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’ʻʼ`]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function tzCities(): string[] {
  const cities = new Set<string>();
  for (const file of ["zone.tab", "zone1970.tab"]) {
    for (const line of readFileSync(path.join(ZONEINFO, file), "utf8").split("\n")) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const zone = line.split("\t")[2];
      const city = zone?.split("/").pop();
      if (city) cities.add(city.replaceAll("_", " "));
    }
  }
  return [...cities];
}

interface Source {
  names: string[];
  /** [variant text, base name, class]: real variants from the source. */
  real: [string, string, VariantClass][];
}

function places(): Source {
  const names: string[] = [];
  const real: [string, string, VariantClass][] = [];
  for (const c of iso("iso_3166-1.json", "3166-1")) {
    const shown = c.common_name ?? c.name;
    names.push(shown);
    if (c.common_name && c.common_name !== c.name) real.push([c.name, shown, "alias"]);
    if (c.official_name && c.official_name !== shown) real.push([c.official_name, shown, "alias"]);
  }
  for (const c of iso("iso_3166-3.json", "3166-3")) names.push(c.name);
  for (const s of iso("iso_3166-2.json", "3166-2")) names.push(s.name);
  names.push(...tzCities());
  return { names, real };
}

function languages(): Source {
  const names: string[] = [];
  const real: [string, string, VariantClass][] = [];
  for (const l of iso("iso_639-3.json", "639-3")) {
    names.push(l.name);
    if (l.inverted_name && l.inverted_name !== l.name) real.push([l.inverted_name, l.name, "inversion"]);
    if (l.common_name && l.common_name !== l.name) real.push([l.common_name, l.name, "alias"]);
  }
  for (const f of iso("iso_639-5.json", "639-5")) names.push(f.name);
  return { names, real };
}

const simple = (file: string, standard: string) => (): Source => ({ names: iso(file, standard).map((r) => r.name), real: [] });

// --- generated variants ---------------------------------------------------------------

type Rng = () => number;
const int = (rnd: Rng, n: number) => Math.floor(rnd() * n);

const QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
const NEIGHBOURS: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  for (let r = 0; r < QWERTY.length; r++) {
    for (let c = 0; c < QWERTY[r]!.length; c++) {
      const near = new Set<string>();
      for (const [dr, dc] of [
        [0, -1],
        [0, 1],
        [-1, 0],
        [-1, 1],
        [1, -1],
        [1, 0],
      ] as const) {
        const ch = QWERTY[r + dr]?.[c + dc];
        if (ch) near.add(ch);
      }
      out[QWERTY[r]![c]!] = [...near].join("");
    }
  }
  return out;
})();

const isLetter = (ch: string | undefined) => ch !== undefined && /^[a-z]$/i.test(ch);

/** Positions i where name[i] is a lower-case ASCII letter not starting a word (first letters are rarely mistyped). */
function innerLetters(name: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < name.length; i++) if (/[a-z]/.test(name[i]!) && isLetter(name[i - 1])) out.push(i);
  return out;
}

const ACCENT: Record<string, string> = { a: "á", e: "é", i: "í", o: "ó", u: "ü", n: "ñ", c: "ç" };
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bSaint\b/, "St."],
  [/\bSainte\b/, "Ste."],
  [/\bMount\b/, "Mt."],
  [/\bFort\b/, "Ft."],
  [/\bSt\.? /, "Saint "],
  [/\bMt\.? /, "Mount "],
  [/ and /, " & "],
  [/ & /, " and "],
];
const PLURALS: [RegExp, string][] = [
  [/\bIslands\b/, "Island"],
  [/\bIsland\b/, "Islands"],
  [/\bLanguages\b/, "Language"],
  [/\bLanguage\b/, "Languages"],
  [/\bMountains\b/, "Mountain"],
  [/\bProvince\b/, "Provinces"],
  [/\bRegion\b/, "Regions"],
  [/\bDistrict\b/, "Districts"],
  [/\bDollar\b/, "Dollars"],
  [/\bPeso\b/, "Pesos"],
];

/** One variant of `name` for `cls`, or null when the rule does not apply to this name. */
function makeVariant(name: string, cls: VariantClass, rnd: Rng): string | null {
  const inner = innerLetters(name);
  const pick = <T>(xs: T[]): T | undefined => (xs.length === 0 ? undefined : xs[int(rnd, xs.length)]);
  switch (cls) {
    case "case":
      return rnd() < 0.5 ? name.toLowerCase() : name.toUpperCase();
    case "accents": {
      const stripped = name.normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");
      if (stripped !== name) return stripped;
      const at = pick(inner.filter((i) => ACCENT[name[i]!] !== undefined));
      return at === undefined ? null : name.slice(0, at) + ACCENT[name[at]!] + name.slice(at + 1);
    }
    case "punctuation": {
      const options: string[] = [`${name}.`, `"${name}"`, `${name},`];
      if (name.includes(" ")) options.push(name.replace(" ", "-"));
      if (name.includes("-")) options.push(name.replaceAll("-", " "));
      if (name.includes("'")) options.push(name.replaceAll("'", "’"));
      return pick(options)!;
    }
    case "article":
      return /^(the|a|an) /i.test(name) ? name.replace(/^(the|a|an) /i, "") : `The ${name}`;
    case "abbreviation": {
      const rule = ABBREVIATIONS.find(([re]) => re.test(name));
      return rule ? name.replace(rule[0], rule[1]) : null;
    }
    case "plural": {
      const rule = PLURALS.find(([re]) => re.test(name));
      return rule ? name.replace(rule[0], rule[1]) : null;
    }
    case "inversion": {
      const words = name.split(" ");
      return words.length === 2 ? `${words[1]}, ${words[0]}` : null;
    }
    case "alias":
      return null; // real aliases only
    case "transposition": {
      const at = pick(inner.filter((i) => isLetter(name[i + 1]) && name[i] !== name[i + 1]));
      return at === undefined ? null : name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
    }
    case "transposition-space": {
      // "Saint Paul" -> "Sain tPaul" or "SaintP aul": a letter jumps across the space.
      const spaces = [...name.matchAll(/ /g)]
        .map((m) => m.index)
        .filter((i) => isLetter(name[i - 1]) && isLetter(name[i + 1]) && isLetter(name[i - 2]) && isLetter(name[i + 2]));
      const at = pick(spaces);
      if (at === undefined) return null;
      return rnd() < 0.5 ? name.slice(0, at - 1) + " " + name[at - 1] + name.slice(at + 1) : name.slice(0, at) + name[at + 1] + " " + name.slice(at + 2);
    }
    case "insertion": {
      const at = pick(inner);
      if (at === undefined) return null;
      return name.slice(0, at) + "abcdefghijklmnopqrstuvwxyz"[int(rnd, 26)] + name.slice(at);
    }
    case "deletion": {
      const at = pick(inner);
      return at === undefined ? null : name.slice(0, at) + name.slice(at + 1);
    }
    case "doubled": {
      const doubles = inner.filter((i) => name[i] === name[i - 1]);
      if (doubles.length > 0 && rnd() < 0.5) {
        const at = pick(doubles)!;
        return name.slice(0, at) + name.slice(at + 1);
      }
      const at = pick(inner.filter((i) => name[i] !== name[i - 1] && name[i] !== name[i + 1]));
      return at === undefined ? null : name.slice(0, at) + name[at] + name.slice(at);
    }
    case "keyboard": {
      const at = pick(inner);
      if (at === undefined) return null;
      const near = NEIGHBOURS[name[at]!]!;
      return name.slice(0, at) + near[int(rnd, near.length)] + name.slice(at + 1);
    }
  }
}

// --- hard negatives --------------------------------------------------------------------

/** Optimal string alignment distance (unit costs), or max + 1 when over max. */
function osa(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      let v = Math.min(rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), rows[i - 1]![j]! + 1, row[j - 1]! + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (i > 0 && rowMin > max) return max + 1;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

function closePairs(names: string[]): [number, number, number][] {
  const folded = names.map(fold);
  const order = folded.map((_, i) => i).sort((x, y) => folded[x]!.length - folded[y]!.length);
  const pairs: [number, number, number][] = [];
  for (let a = 0; a < order.length; a++) {
    const i = order[a]!;
    for (let b = a + 1; b < order.length; b++) {
      const j = order[b]!;
      if (folded[j]!.length - folded[i]!.length > 2) break;
      const d = osa(folded[i]!, folded[j]!, 2);
      if (d <= 2) pairs.push([Math.min(i, j), Math.max(i, j), d]);
    }
  }
  return pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

// --- assembly --------------------------------------------------------------------------

/** Share of names that get a generated variant of each class (when the rule applies); rare rules apply to all. */
const VARIANT_SHARE = 0.25;
const ALWAYS: ReadonlySet<VariantClass> = new Set(["abbreviation", "plural"]);

function buildTopic(topic: string, source: Source, seed: number): { names: number; variants: number; close: number } {
  const rnd = seededRng(seed);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const raw of source.names) {
    const name = raw.trim();
    const f = fold(name);
    if (f === "" || index.has(f)) continue;
    index.set(f, names.length);
    names.push(name);
  }
  const variants: [string, number, VariantClass][] = [];
  const seen = new Set<string>();
  const add = (text: string, of: number, cls: VariantClass) => {
    // A "variant" that spells another listed name is a distinct name, not a duplicate.
    const owner = index.get(fold(text));
    if (owner !== undefined && owner !== of) return;
    if (text === names[of] || seen.has(text)) return;
    seen.add(text);
    variants.push([text, of, cls]);
  };
  for (const [text, base, cls] of source.real) {
    const of = index.get(fold(base));
    if (of !== undefined) add(text, of, cls);
  }
  for (let of = 0; of < names.length; of++) {
    for (const cls of VARIANT_CLASSES) {
      if (!ALWAYS.has(cls) && rnd() >= VARIANT_SHARE) continue;
      const v = makeVariant(names[of]!, cls, rnd);
      if (v !== null) add(v, of, cls);
    }
  }
  const close = closePairs(names);
  const file = path.join(OUT, `${topic}.json`);
  // One record per line: diffs stay readable when the set is rebuilt.
  const lines = [
    `{"topic":${JSON.stringify(topic)},`,
    `"names":[`,
    names.map((n) => JSON.stringify(n)).join(",\n"),
    `],"variants":[`,
    variants.map((v) => JSON.stringify(v)).join(",\n"),
    `],"close":[`,
    close.map((p) => JSON.stringify(p)).join(",\n"),
    `]}`,
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  return { names: names.length, variants: variants.length, close: close.length };
}

/** The distinct pairs issue 10 reports as merged; each must stay apart in either order. */
const ISSUE_PAIRS: [string, string][] = [
  ["Shanxi", "Shaanxi"],
  ["Shanxi Sheng", "Shaanxi Sheng"],
  ["Hertfordshire", "Herefordshire"],
  ["Kaduna", "Kaunas"],
  ["Cajamarca", "Catamarca"],
  ["Krasnojarskij kraj", "Krasnodarskij kraj"],
  ["Žilinský kraj", "Zlínský kraj"],
  ["Ampara", "Amara"],
  ["Aymara", "Amara"],
  ["Paama", "Panama"],
  ["Birwa", "Bira"],
  ["Macao", "Maco"],
  ["Togo", "Tsogo"],
  ["Togo.", "Tsogo"],
];

function main(): void {
  const topics: [string, () => Source][] = [
    ["places", places],
    ["languages", languages],
    ["currencies", simple("iso_4217.json", "4217")],
    ["scripts", simple("iso_15924.json", "15924")],
  ];
  let seed = 1;
  for (const [topic, load] of topics) {
    const counts = buildTopic(topic, load(), seed++);
    console.log(`${topic}: ${counts.names} names, ${counts.variants} variants, ${counts.close} close pairs`);
  }
  writeFileSync(path.join(OUT, "issue-pairs.json"), JSON.stringify(ISSUE_PAIRS, null, 0).replaceAll("],[", "],\n[") + "\n");
}

main();
