import { describe, expect, it } from "vitest";
import { canonicalKey } from "./index";
import { canonicalKeySlowPath } from "./canonical-key";
import { randomAscii, randomName, randomNoise } from "../../../test/fixtures/dedup/random-text";
import { seededRng } from "../stats/math";

// Each row: texts that must share one key.
const SAME_KEY: [variantClass: string, texts: string[]][] = [
  ["case and spacing", ["Eiffel Tower", "eiffel tower", "EIFFEL TOWER", "  Eiffel   Tower  ", "Eiffel\tTower"]],
  ["leading English article", ["The Eiffel Tower", "Eiffel Tower", "the eiffel tower", "A Coruña", "Coruña"].slice(0, 3)],
  ["indefinite article", ["A Coruña", "Coruña"]],
  [
    "dashes and punctuation",
    ["Eiffel-Tower", "Eiffel Tower", "Eiffel Tower.", '"Eiffel Tower"', "“Eiffel Tower”", "Eiffel–Tower", "Eiffel—Tower", "(Eiffel Tower)", "Eiffel_Tower"],
  ],
  ["diacritics and NFKC", ["Saint-Germain-des-Prés", "Saint Germain des Pres", "SAINT-GERMAIN-DES-PRÉS", "Saint-Germain-des-Pre\u0301s"]],
  ["abbreviation St.", ["Saint-Germain-des-Prés", "St Germain des Pres", "St. Germain-des-Prés"]],
  ["abbreviation Mt.", ["Mt. Everest", "Mount Everest", "Mt Everest"]],
  ["abbreviation Ft.", ["Ft. Worth", "Fort Worth"]],
  ["street suffix", ["Baker St.", "Baker Street"]],
  ["ampersand", ["Bosnia & Herzegovina", "Bosnia and Herzegovina", "Bosnia＆Herzegovina"]],
  ["rock and roll", ["Rock 'n' Roll", "Rock and Roll", "Rock & Roll", "rock n roll"]],
  ["comma inversion, Republic of", ["Korea, Republic of", "Republic of Korea"]],
  [
    "comma inversion, Democratic Republic of the",
    ["Congo, Democratic Republic of the", "Democratic Republic of the Congo", "Congo, The Democratic Republic of the"],
  ],
  ["comma inversion, article", ["Bahamas, The", "The Bahamas", "Bahamas"]],
  ["comma inversion, Federated States of", ["Micronesia, Federated States of", "Federated States of Micronesia"]],
  ["apostrophe variants", ["Côte d'Ivoire", "Côte d’Ivoire", "Cote d`Ivoire", "COTE D'IVOIRE", "Côte d Ivoire"]],
  ["possessive", ["St. John's Wood", "Saint Johns Wood", "Saint John’s Wood"]],
  ["okina and apostrophe in a word", ["Hawaiʻi", "Hawai'i", "Hawaii"]],
  ["O'Brien", ["O'Brien", "OBrien", "O’Brien"]],
  ["French elided article", ["L'Arc de Triomphe", "Arc de Triomphe", "l’Arc de Triomphe"]],
  ["French article before two words", ["La Tour Eiffel", "Tour Eiffel", "LA TOUR EIFFEL"]],
  ["plural -s", ["Paris Catacombs", "Paris Catacomb"]],
  ["plural -ies", ["Cities of Italy", "City of Italy"]],
  ["plural -ches", ["Churches of Rome", "Church of Rome"]],
  ["plural -sses", ["Glasses", "Glass"]],
  ["dotted initials", ["U.S.A.", "USA", "U S A"]],
  ["initials in a name", ["J. R. R. Tolkien", "JRR Tolkien", "J.R.R. Tolkien"]],
  ["C sharp", ["C#", "C Sharp", "c-sharp"]],
  ["plus", ["Disney+", "Disney Plus"]],
  ["special letters", ["Straße", "Strasse"]],
  ["Scandinavian letters", ["Ærø", "Aero"]],
  ["Polish letters", ["Łódź", "Lodz"]],
  ["Turkish dotted capital", ["İstanbul", "Istanbul", "istanbul"]],
  ["Greek final sigma and accents", ["Ελλάς", "ΕΛΛΑΣ", "ελλας"]],
  ["fullwidth and ligatures", ["Ｅｉｆｆｅｌ", "Eiffel"]],
  ["ligature fi", ["ﬁre station", "Fire Station"]],
  ["versus", ["Roe v. Wade", "Roe vs Wade", "Roe versus Wade"]],
  ["repeated articles", ["The La Brea Tar Pits", "La Brea Tar Pits", "Brea Tar Pits"]],
  ["plural abbreviation", ["Aves", "Avenue"]],
];

// Each row: texts whose keys must all differ.
const DIFFERENT_KEYS: [variantClass: string, texts: string[]][] = [
  ["countries that extend each other", ["Niger", "Nigeria", "Guinea", "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea"]],
  ["a qualifier word", ["Sudan", "South Sudan", "Korea", "North Korea", "South Korea"]],
  ["Eastern/Western", ["Eastern Abnaki", "Western Abnaki", "Abnaki"]],
  ["a part of a landmark", ["Louvre", "Louvre Pyramid", "Louvre Museum"]],
  ["French article before one word stays", ["La Paz", "Paz", "Le Mans", "Mans", "Les Invalides", "Invalides"]],
  ["numbers", ["Apollo 11", "Apollo 12", "Apollo 1", "1990s", "1990"]],
  ["Roman numerals", ["Louis XIV", "Louis XV", "Louis XVI", "Henry VIII", "Henry VII", "World War I", "World War II"]],
  ["single letters", ["Vitamin A", "Vitamin B", "Hepatitis A", "Hepatitis B", "Plan B"]],
  ["programming languages", ["C", "C++", "C#", "F#", "D", "R"]],
  ["the article is the name", ["The", "A", "An"]],
  ["-is and -us are not plurals", ["Paris", "Pari", "Campus", "Campu"]],
  ["a comma that is not a qualifier", ["Paris, Texas", "Paris"]],
  ["Saint is not San", ["Saint Jose", "San Jose"]],
];

const JUNK = ["", "   ", "!!!", "—", "...", "\u200b", "🙂🙂", "()", "*", "\t\t"];

describe("canonical key", () => {
  it.each(SAME_KEY)("merges %s", (_cls, texts) => {
    const keys = texts.map(canonicalKey);
    expect(new Set(keys).size, JSON.stringify(Object.fromEntries(texts.map((t, i) => [t, keys[i]])))).toBe(1);
    expect(keys[0]).not.toBe("");
  });

  it.each(DIFFERENT_KEYS)("keeps apart %s", (_cls, texts) => {
    const keys = texts.map(canonicalKey);
    expect(new Set(keys).size, JSON.stringify(keys)).toBe(texts.length);
  });

  it("gives junk (no letters or digits) the empty key", () => {
    for (const t of JUNK) expect(canonicalKey(t), JSON.stringify(t)).toBe("");
  });

  it("reads keys users can recognise", () => {
    expect(canonicalKey("The Eiffel Tower")).toBe("eiffel tower");
    expect(canonicalKey("Korea, Republic of")).toBe("republic of korea");
    expect(canonicalKey("Saint-Germain-des-Prés")).toBe("saint germain des pre");
  });

  it("keeps letters of non-Latin scripts, including Indic vowel signs", () => {
    expect(canonicalKey("東京")).toBe("東京");
    expect(canonicalKey("हिन्दी")).toBe("हिन्दी");
    expect(canonicalKey("Москва")).toBe("москва");
  });

  it("is idempotent on generated names and noise", () => {
    const rnd = seededRng(7);
    for (let i = 0; i < 20_000; i++) {
      const text = i % 2 === 0 ? randomName(rnd) : randomNoise(rnd);
      const key = canonicalKey(text);
      expect(canonicalKey(key), JSON.stringify(text)).toBe(key);
    }
  });

  it("fast ASCII path agrees with the general path", () => {
    const rnd = seededRng(11);
    for (let i = 0; i < 20_000; i++) {
      const text = randomAscii(rnd);
      expect(canonicalKey(text), JSON.stringify(text)).toBe(canonicalKeySlowPath(text));
    }
  });
});
