import { inventName, skeleton, topicHeadNoun } from "./names";
import { hash01, Rng } from "./prng";

/**
 * A topic's universe: every item that exists for it, ordered by popularity (index = rank,
 * 0 = most popular). Deterministic from the topic string and the size parameters.
 */
export interface Universe {
  /** Canonical topic (trimmed, lowercase, single spaces). */
  topic: string;
  items: readonly string[];
  /** itemKey(item) -> rank. */
  index: ReadonlyMap<string, number>;
}

export function canonicalTopic(topic: string): string {
  return topic.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
}

/** Number of items in a topic's universe: the mean size ± jitter, deterministic from the topic. */
export function universeSizeFor(topic: string, universeSize: number, universeSizeJitter: number): number {
  const u = hash01("universe-size", canonicalTopic(topic));
  return Math.max(1, Math.round(universeSize * (1 + universeSizeJitter * (2 * u - 1))));
}

const ARTICLES = new Set(["the", "a", "an"]);

/** Undoes the plurals the noise model makes ("-ies", "-s"); nothing cleverer, so it is exact. */
function stripPlural(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/**
 * Identity of an item as the simulator sees it in a prompt: strips numbering, bullets,
 * markdown, quotes, a trailing description, a leading article, case and a plural "s".
 * Every surface-noise variant the simulator emits maps back to its item's key.
 */
export function itemKey(text: string): string {
  const hit = keyCache.get(text);
  if (hit !== undefined) return hit;
  const key = computeItemKey(text);
  // Producers resend the same previous entries with every call: remember their keys.
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
  keyCache.set(text, key);
  return key;
}

const KEY_CACHE_SIZE = 200_000;
const keyCache = new Map<string, string>();

function computeItemKey(text: string): string {
  let t = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\*\*|__|`/g, "")
    .trim();
  t = t.replace(/^(?:[-*+•]\s*|\(?\d{1,3}[.)\]]\s*|#\d{1,3}[.):]?\s+)/u, "");
  t = t.split(/\s+[-–—]\s+|:\s|\s\(/u)[0] ?? "";
  const words = t.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  if (words.length > 1 && ARTICLES.has(words[0] ?? "")) words.shift();
  return words.map(stripPlural).join(" ");
}

export function generateUniverse(topic: string, universeSize: number, universeSizeJitter: number): Universe {
  const canonical = canonicalTopic(topic);
  const size = universeSizeFor(canonical, universeSize, universeSizeJitter);
  const rng = Rng.from("universe", canonical);
  const head = topicHeadNoun(canonical);
  const items: string[] = [];
  const index = new Map<string, number>();
  const skeletons = new Set<string>();
  const maxAttempts = size * 200 + 1000;
  for (let attempt = 0; items.length < size; attempt++) {
    if (attempt > maxAttempts) throw new Error(`could not generate ${size} distinct items for "${canonical}"`);
    const { name, invented } = inventName(rng, head);
    const skels = invented.map(skeleton);
    // Unique skeletons keep items from looking like typos of each other (dedup would merge them).
    if (skels.some((s) => s.length < 2 || skeletons.has(s)) || new Set(skels).size !== skels.length) continue;
    const key = itemKey(name);
    if (index.has(key)) continue;
    for (const s of skels) skeletons.add(s);
    index.set(key, items.length);
    items.push(name);
  }
  return { topic: canonical, items, index };
}

/**
 * A universe of real names (a public list: bench/data/explore). Popularity is a fixed
 * pseudo-random order of the names (no public list ranks them); names that key alike are one item.
 */
export function universeFromNames(topic: string, names: Iterable<string>): Universe {
  const canonical = canonicalTopic(topic);
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = itemKey(name);
    if (key !== "" && !byKey.has(key)) byKey.set(key, name);
  }
  const order = [...byKey.keys()].sort((a, b) => hash01("salience", canonical, a) - hash01("salience", canonical, b) || (a < b ? -1 : 1));
  const index = new Map<string, number>();
  const items = order.map((k, r) => {
    index.set(k, r);
    return byKey.get(k)!;
  });
  return { topic: canonical, items, index };
}

/**
 * Which ranks a model knows: exactly round(breadth * N) items, chosen by a per-model hash
 * with a bias towards popular items (knowledgeSkew 0 = uniform over ranks).
 */
export function knownRanks(universe: Universe, model: string, breadth: number, knowledgeSkew: number): Uint8Array {
  const n = universe.items.length;
  const count = Math.round(Math.min(1, Math.max(0, breadth)) * n);
  const known = new Uint8Array(n);
  if (count >= n) return known.fill(1);
  const scores = new Float64Array(n);
  for (let r = 0; r < n; r++) scores[r] = hash01("knows", universe.topic, model, r) + knowledgeSkew * (r / n);
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  for (let i = 0; i < count; i++) known[order[i] ?? 0] = 1;
  return known;
}

/** Zipf popularity weights 1/(r+1)^s for ranks 0..n-1. */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = 1 / Math.pow(r + 1, exponent);
  return w;
}
