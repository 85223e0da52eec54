import { OFF_TOPIC_ITEMS, VAGUE_ITEMS } from "./names";
import type { Rng } from "./prng";
import { itemKey } from "./universe";

/**
 * Surface noise, so that parsing and dedup have real work: the same item comes back as
 * "velmora bridge", "The Velmora Bridges", "**Velmora Bridge** - a classic choice"...
 * Every variant keeps the item's itemKey (a noisy repeat is still a repeat).
 */

export const NOISE_KINDS = ["lowercase", "uppercase", "plural", "article", "punctuation", "quotes", "description", "bold"] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

const DESCRIPTIONS = [
  "a well-known example",
  "often cited as a favourite",
  "popular since the 1990s",
  "a classic choice",
  "notable for its long history",
  "less widely known but influential",
  "frequently recommended by experts",
  "known for its distinctive style",
  "widely regarded as a landmark",
  "an underrated pick",
];

function pluralise(item: string): string | null {
  const m = /^(.*?)(\p{L}+)$/u.exec(item);
  if (!m) return null;
  const [, before = "", last = ""] = m;
  if (last.length <= 3 || last === last.toUpperCase()) return null; // "II", short words
  if (/[^aeiou]y$/i.test(last)) return `${before}${last.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/i.test(last)) return null; // "-es" plurals are ambiguous to undo
  return `${before}${last}s`;
}

function describe(item: string, rng: Rng): string {
  const d = rng.pick(DESCRIPTIONS);
  switch (rng.int(4)) {
    case 0:
      return `${item} - ${d}`;
    case 1:
      return `${item}: ${d}`;
    case 2:
      return `${item} (${d})`;
    default:
      return `${item} — ${d}`;
  }
}

export function applyNoise(item: string, kind: NoiseKind, rng: Rng): string {
  switch (kind) {
    case "lowercase":
      return item.toLowerCase();
    case "uppercase":
      return item.toUpperCase();
    case "plural":
      return pluralise(item) ?? item.toLowerCase();
    case "article":
      return `${rng.chance(0.8) ? "The" : "A"} ${item}`;
    case "punctuation":
      return `${item}${rng.pick([".", ";", ",", "!"])}`;
    case "quotes":
      return rng.chance(0.5) ? `"${item}"` : `“${item}”`;
    case "description":
      return describe(item, rng);
    case "bold":
      return rng.chance(0.5) ? `**${item}**` : describe(`**${item}**`, rng);
  }
}

/** One noisy variant of `item` (sometimes two kinds stacked), guaranteed to keep its itemKey. */
export function noisyVariant(item: string, rng: Rng): string {
  let out = applyNoise(item, rng.pick(NOISE_KINDS), rng);
  if (rng.chance(0.2)) out = applyNoise(out, rng.pick(["lowercase", "punctuation", "article"] as const), rng);
  return itemKey(out) === itemKey(item) ? out : item.toLowerCase();
}

export const LIST_STYLES = ["numbered", "numbered-paren", "dash", "star", "bullet", "plain"] as const;
export type ListStyle = (typeof LIST_STYLES)[number];

export function pickListStyle(rng: Rng): ListStyle {
  const r = rng.next();
  if (r < 0.4) return "numbered";
  if (r < 0.5) return "numbered-paren";
  if (r < 0.75) return "dash";
  if (r < 0.85) return "star";
  if (r < 0.9) return "bullet";
  return "plain";
}

export function listMarker(style: ListStyle, position: number): string {
  switch (style) {
    case "numbered":
      return `${position}. `;
    case "numbered-paren":
      return `${position}) `;
    case "dash":
      return "- ";
    case "star":
      return "* ";
    case "bullet":
      return "• ";
    case "plain":
      return "";
  }
}

export function preambleLine(rng: Rng, count: number, topic: string): string {
  return rng
    .pick([
      "Here are {n} more items:",
      "Here are {n} more {topic}:",
      "Sure! Here are {n} additional {topic} not in the list above:",
      "Certainly. Continuing the list:",
      "### More {topic}",
      "Okay, here's the next batch of {n}:",
    ])
    .replace("{n}", String(count))
    .replace("{topic}", topic);
}

export function signoffLine(rng: Rng): string {
  return rng.pick(["Let me know if you need more!", "I hope this helps.", "Would you like me to continue with more?", "Feel free to ask for more entries."]);
}

/** An off-topic or vague line. */
export function junkLine(rng: Rng, topic: string): string {
  return rng.chance(0.5) ? rng.pick(OFF_TOPIC_ITEMS) : rng.pick(VAGUE_ITEMS).replace("{topic}", topic);
}
