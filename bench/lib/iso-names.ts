import fs from "node:fs";
import path from "node:path";

/**
 * Real names we did not write, for measuring token counts: Debian's iso-codes package
 * (`apt-get install iso-codes`): regions, languages and currencies in English, and country
 * names translated into many languages and scripts (gettext catalogues). Empty lists where
 * the package is missing.
 */
const JSON_DIR = "/usr/share/iso-codes/json";
const LOCALE_DIR = "/usr/share/locale";

export const ISO_LANGUAGES = [
  "ru",
  "uk",
  "el",
  "he",
  "ar",
  "fa",
  "hi",
  "bn",
  "ta",
  "th",
  "ka",
  "am",
  "ja",
  "zh_CN",
  "ko",
  "de",
  "fr",
  "pl",
  "tr",
  "vi",
] as const;

/** English names: list name -> names. */
export function isoEnglishLists(): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const [file, key] of [
    ["iso_3166-2.json", "3166-2"],
    ["iso_639-3.json", "639-3"],
    ["iso_4217.json", "4217"],
  ] as const) {
    const p = path.join(JSON_DIR, file);
    if (!fs.existsSync(p)) continue;
    const data = JSON.parse(fs.readFileSync(p, "utf8")) as Record<string, Array<{ name: string }>>;
    lists[`iso-${key}`] = (data[key] ?? []).map((r) => r.name);
  }
  return lists;
}

/** Country names translated into `lang` (the msgstr side of iso_3166-1.mo). */
export function isoCountryNames(lang: string): string[] {
  const p = path.join(LOCALE_DIR, lang, "LC_MESSAGES", "iso_3166-1.mo");
  if (!fs.existsSync(p)) return [];
  return readMoTranslations(fs.readFileSync(p));
}

/** Every list: English ones plus `countries-<lang>` per language present. */
export function isoNameLists(): Record<string, string[]> {
  const lists = isoEnglishLists();
  for (const lang of ISO_LANGUAGES) {
    const names = isoCountryNames(lang);
    if (names.length > 0) lists[`countries-${lang}`] = names;
  }
  return lists;
}

/** GNU .mo: magic, revision, N, offset of originals, offset of translations (each: length, offset). */
function readMoTranslations(buf: Buffer): string[] {
  const little = buf.readUInt32LE(0) === 0x950412de;
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const n = u32(8);
  const translations = u32(16);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = u32(translations + i * 8);
    const off = u32(translations + i * 8 + 4);
    const text = buf.toString("utf8", off, off + len);
    if (i === 0 && text.includes("Content-Type")) continue; // the catalogue's header entry
    if (text) out.push(text);
  }
  return out;
}
