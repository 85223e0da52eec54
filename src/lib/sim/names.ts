import type { Rng } from "./prng";

/**
 * Pronounceable, realistic-looking item names ("Velmora Bridge", "Kastrel", "Mira Talvenko").
 * Invented words rather than real ones, so a topic's universe is known exactly and no two
 * items collide, while parsers and dedup still see title-cased multi-word names.
 */

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
  "l",
  "m",
  "n",
  "r",
  "t",
  "v",
];
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "a", "i"];
const DIPHTHONGS = ["ai", "ea", "ou", "io", "au", "ei"];
const CODAS = ["n", "r", "l", "s", "m", "nd", "rt", "x", "th", "ck", "ll", "nn", "st", "rn", "ld"];
const ENDINGS = ["ia", "on", "ar", "el", "is", "a", "o", "ton", "ville", "berg", "ford", "ero", "ani", "ix", "wick", "mont", "ara", "ine", "ley", "ham"];
const QUALIFIERS_AFTER = ["Classic", "Prime", "II", "III", "Major", "Minor", "Nova", "Royale", "Grande", "Deluxe"];
const QUALIFIERS_BEFORE = ["New", "Old", "Saint", "Grand", "Little", "Upper", "Lower", "North", "South", "East", "West", "Great"];

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function wordCandidate(rng: Rng): string {
  const syllables = rng.chance(0.55) ? 2 : 3;
  let w = "";
  for (let i = 0; i < syllables; i++) {
    const onset = i === 0 && rng.chance(0.12) ? "" : rng.pick(ONSETS);
    w += onset + (rng.chance(0.1) ? rng.pick(DIPHTHONGS) : rng.pick(VOWELS));
    if (rng.chance(i === syllables - 1 ? 0.35 : 0.12)) w += rng.pick(CODAS);
  }
  if (rng.chance(0.3)) w += rng.pick(ENDINGS);
  return w;
}

/** Letter runs that make a word look machine-made: 3 vowels, or 3 consonants once digraphs count as one. */
function looksPronounceable(w: string): boolean {
  if (w.length < 3 || w.length > 11) return false;
  if (/[aeiou]{3}/.test(w)) return false;
  const collapsed = w.replace(/th|ch|sh|ck|ll|nn/g, "C");
  return !/[^aeiou]{3}/.test(collapsed);
}

/** One invented word of 2-3 syllables, lowercase. */
export function inventWord(rng: Rng): string {
  for (;;) {
    const w = wordCandidate(rng);
    if (looksPronounceable(w)) return w;
  }
}

/** Consonant skeleton of a word: two words with the same skeleton look like typos of each other. */
export function skeleton(word: string): string {
  return word
    .toLowerCase()
    .replace(/[aeiouy]/g, "")
    .replace(/(.)\1+/g, "$1");
}

const PREPOSITIONS = new Set(["in", "of", "from", "for", "by", "with", "on", "at", "about", "that", "which", "who", "to", "and", "or"]);
const VAGUE_HEADS = new Set(["type", "kind", "sort", "name", "example", "thing", "item", "variety", "form", "list", "famous", "popular", "well-known", "all"]);

export function singular(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 4 && /(?:ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/** The noun a topic is about, singular and title-cased: "famous bridges in Europe" -> "Bridge"; null if none. */
export function topicHeadNoun(topic: string): string | null {
  const words = topic
    .toLowerCase()
    .split(/[^a-z'-]+/)
    .filter((w) => w.length > 0);
  const cut = words.findIndex((w) => PREPOSITIONS.has(w));
  const before = cut === -1 ? words : words.slice(0, cut);
  let head = before.at(-1);
  if ((head === undefined || VAGUE_HEADS.has(singular(head))) && cut !== -1) {
    head = words.slice(cut + 1).find((w) => !PREPOSITIONS.has(w) && w !== "the" && w !== "a");
  }
  if (head === undefined || head.length < 3 || VAGUE_HEADS.has(singular(head))) return null;
  return titleCase(singular(head));
}

/**
 * Candidate name: a list of invented words plus fixed words. Returns the display name and the
 * invented words (whose skeletons the caller keeps unique).
 */
export function inventName(rng: Rng, headNoun: string | null): { name: string; invented: string[] } {
  const a = inventWord(rng);
  const roll = rng.next();
  if (roll < 0.4) return { name: titleCase(a), invented: [a] };
  if (roll < 0.6) {
    return headNoun ? { name: `${titleCase(a)} ${headNoun}`, invented: [a] } : { name: titleCase(a), invented: [a] };
  }
  if (roll < 0.75) {
    const b = inventWord(rng);
    return { name: `${titleCase(a)} ${titleCase(b)}`, invented: [a, b] };
  }
  if (roll < 0.85) return { name: `${titleCase(a)} ${rng.pick(QUALIFIERS_AFTER)}`, invented: [a] };
  if (roll < 0.95) return { name: `${rng.pick(QUALIFIERS_BEFORE)} ${titleCase(a)}`, invented: [a] };
  const b = inventWord(rng);
  return { name: `${titleCase(a)}-${titleCase(b)}`, invented: [a, b] };
}

/** Off-topic things a model drifts into. */
export const OFF_TOPIC_ITEMS = [
  "Pizza",
  "The Eiffel Tower",
  "Photosynthesis",
  "Jazz music",
  "Bicycle",
  "The French Revolution",
  "Quantum mechanics",
  "Chocolate cake",
  "Mount Everest",
  "The Beatles",
  "Basketball",
  "Climate change",
  "Leonardo da Vinci",
  "The Internet",
  "Coffee",
  "Shakespeare",
  "The Moon",
  "Democracy",
  "Origami",
  "Electric cars",
] as const;

/** Vague non-items; `{topic}` is replaced by the topic. */
export const VAGUE_ITEMS = [
  "Other",
  "Miscellaneous",
  "Various others",
  "And many more",
  "Etc.",
  "Unknown",
  "N/A",
  "Other {topic}",
  "Various {topic}",
  "Many other {topic}",
  "Lesser-known {topic}",
  "Regional variations",
  "Modern examples",
  "Historical examples",
  "See above",
] as const;
