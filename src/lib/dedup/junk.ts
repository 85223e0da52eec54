/**
 * Placeholder and meta lines that models put in lists ("Other", "Miscellaneous", "And many
 * more", "N/A", "See above", "Various others", "Modern examples"): they name no member of the
 * topic, so they are junk, never entries. Precision first here too: a real title that merely
 * starts like a placeholder ("Other Music", "Various Positions", "The Others", "Unknown
 * Pleasures", "Other Voices, Other Rooms") stays. The rules, on the lower-cased words:
 *   - the whole line is a placeholder: other(s), misc(ellaneous), various, etc(etera), n/a, none,
 *     nothing, unknown, tbd, see above, same as above, and (many) more, many more, and others,
 *     more to come, regional variations, ...;
 *   - a group opener (many other, lesser-known, and other, plus many) followed by anything;
 *   - other / various / more followed only by generic group nouns (others, types, kinds,
 *     examples, artists, ...) or by words of the topic, when the caller knows the topic; without
 *     a topic, by two or three words ending in a plural (Other regional dishes), with no comma;
 *   - at most three words ending in "examples" (Modern examples, Historical examples).
 */

const PLACEHOLDERS = new Set([
  "other",
  "others",
  "misc",
  "miscellaneous",
  "various",
  "etc",
  "etcetera",
  "et cetera",
  "n a",
  "none",
  "nothing",
  "unknown",
  "tbd",
  "tba",
  "to be determined",
  "not applicable",
  "see above",
  "see below",
  "as above",
  "same as above",
  "ditto",
  "and more",
  "and many more",
  "and so on",
  "and so forth",
  "many more",
  "much more",
  "and others",
  "more to come",
  "and the list goes on",
  "regional variations",
  "regional variants",
  "local variations",
  "other variations",
  "other examples",
  "many others",
  "several others",
  "various others",
  "countless others",
  "numerous others",
]);

/** Openers that introduce a group, whatever follows. */
const GROUP_OPENERS = [
  ["many", "other"],
  ["many", "more"],
  ["lesser", "known"],
  ["and", "other"],
  ["and", "many"],
  ["plus", "many"],
  ["among", "others"],
  ["numerous", "other"],
  ["countless", "other"],
  ["several", "other"],
];

/** Openers that make junk only when followed by group nouns or topic words. */
const SOFT_OPENERS = new Set(["other", "various", "more", "additional", "further", "assorted"]);

const GROUP_NOUNS = new Set(
  "others types kinds sorts forms styles examples varieties variants variations artists items entries things ones options members cases instances names".split(
    " ",
  ),
);

const FUNCTION_WORDS = new Set("a an the of in on at for and or to from by with".split(" "));

function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** The words of a topic, with and without a plural s, for "Other <topic>" lines. */
export function topicWords(topic: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(topic)) {
    if (FUNCTION_WORDS.has(w)) continue;
    out.add(w);
    if (w.length > 3 && w.endsWith("s")) out.add(w.slice(0, -1));
    else out.add(`${w}s`);
  }
  return out;
}

export type JunkReason = "placeholder" | "group" | "examples";

/** Why a candidate is a placeholder or meta line, or null when it may be a real entry. */
export function junkReason(text: string, topic?: ReadonlySet<string>): JunkReason | null {
  const w = words(text);
  if (w.length === 0) return null;
  if (PLACEHOLDERS.has(w.join(" "))) return "placeholder";
  for (const opener of GROUP_OPENERS) {
    if (w.length > opener.length && opener.every((o, i) => w[i] === o)) return "group";
  }
  if (SOFT_OPENERS.has(w[0]!) && w.length >= 2) {
    const rest = w.slice(1).filter((x) => !FUNCTION_WORDS.has(x));
    if (rest.length > 0 && rest.every((x) => GROUP_NOUNS.has(x) || topic?.has(x))) return "group";
    // Without the topic: "Other regional dishes" is a group, "Other Worlds" and "Various Positions" may be titles.
    if (topic === undefined && !text.includes(",") && rest.length >= 2 && rest.length <= 3 && /[^s]s$/.test(rest[rest.length - 1]!)) return "group";
  }
  if (w.length <= 3 && w[w.length - 1] === "examples") return "examples";
  return null;
}
