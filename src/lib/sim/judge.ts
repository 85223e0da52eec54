import type { AliasRequest } from "../dedup/aliases";
import type { JudgeDecision, JudgePair, JudgeRequest, Selection, SelectorItem, SelectorRequest } from "../dedup/judge";
import { universeAliases } from "./aliases";
import { typoCost } from "../dedup/typo";
import type { Answer } from "./respond";
import type { Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * The simulator's answers to dedup judge requests (src/lib/dedup/judge.ts). The simulated judge
 * knows its universe: it says "same" when both texts name one universe item (any surface variant
 * the simulator itself emits, or a misspelling close to one item only), "different" otherwise,
 * including any text it cannot place; then
 * each verdict is flipped with probability `errorRate`, standing for a real model's mistakes.
 */

/** Share of verdicts the simulated judge gets wrong, each way. */
export const SIM_JUDGE_ERROR_RATE = 0.02;

/** What a text names, as far as the judge knows; null for a text it cannot place. */
export type Identify = (text: string) => string | number | null;

/** Most typo edits (typoCost) between a misspelt text and the item the judge recognises in it. */
const MAX_RECOGNISED_EDITS = 2;

// Item keys by first character, per universe: the typo fallback scans one bucket, not the universe.
const byInitial = new WeakMap<Universe, Map<string, string[]>>();

function initialBuckets(universe: Universe): Map<string, string[]> {
  let buckets = byInitial.get(universe);
  if (buckets === undefined) {
    buckets = new Map();
    for (const key of universe.index.keys()) {
      const bucket = buckets.get(key[0] ?? "");
      if (bucket) bucket.push(key);
      else buckets.set(key[0] ?? "", [key]);
    }
    byInitial.set(universe, buckets);
  }
  return buckets;
}

/**
 * The universe item a text names, or null. By the simulator's own item key (every surface
 * variant it emits), by an item's alias (src/lib/sim/aliases.ts), else, as a model would
 * recognise a misspelling of something it knows, the one item within MAX_RECOGNISED_EDITS typo
 * edits of the text's key (same first letter); two such items, or none, and the text is not placed.
 */
export function universeIdentify(universe: Universe): Identify {
  const aliases = universeAliases(universe);
  return (text) => {
    const key = itemKey(text);
    const exact = universe.index.get(key) ?? aliases.index.get(key);
    if (exact !== undefined) return exact;
    let found: number | null = null;
    for (const other of initialBuckets(universe).get(key[0] ?? "") ?? []) {
      if (Math.abs(other.length - key.length) > MAX_RECOGNISED_EDITS) continue;
      if (typoCost(key, other, MAX_RECOGNISED_EDITS) > MAX_RECOGNISED_EDITS) continue;
      if (found !== null) return null;
      found = universe.index.get(other)!;
    }
    return found;
  };
}

export function simJudgeDecision(pair: JudgePair, identify: Identify, errorRate: number, rng: Rng): JudgeDecision {
  const a = identify(pair.candidate);
  const truth: JudgeDecision = a !== null && a === identify(pair.entry) ? "same" : "different";
  if (!rng.chance(errorRate)) return truth;
  return truth === "same" ? "different" : "same";
}

/** The answer text: one `id: verdict` line per pair, in one of the formats models use. */
export function simJudgeAnswer(request: JudgeRequest, identify: Identify, errorRate: number, rng: Rng): Answer {
  const style = rng.int(4);
  const lines = request.pairs.map((p) => {
    const d = simJudgeDecision(p, identify, errorRate, rng);
    switch (style) {
      case 0:
        return `${p.id}: ${d}`;
      case 1:
        return `- **${p.id}**: ${d.toUpperCase()}`;
      case 2:
        return `${p.id} - ${d}`;
      default:
        return `Pair ${p.id}: ${d[0]!.toUpperCase()}${d.slice(1)}.`;
    }
  });
  return { text: lines.join("\n") + "\n", lines: [] };
}

/**
 * The simulated selector's pick for one item: the first entry that names the candidate's item,
 * or none; then, with probability `errorRate`, a mistake: none instead of the right entry, or a
 * random entry instead of none.
 */
export function simSelection(item: SelectorItem, identify: Identify, errorRate: number, rng: Rng): Selection {
  const a = identify(item.candidate);
  const index = a === null ? -1 : item.options.findIndex((o) => identify(o) === a);
  const truth: Selection = index === -1 ? null : index;
  if (!rng.chance(errorRate)) return truth;
  return truth === null ? rng.int(item.options.length) : null;
}

/** The answer text of a selector request: one `id: N|none` line per item, in one of several styles. */
export function simSelectorAnswer(request: SelectorRequest, identify: Identify, errorRate: number, rng: Rng): Answer {
  const style = rng.int(3);
  const lines = request.items.map((item) => {
    const s = simSelection(item, identify, errorRate, rng);
    const v = s === null ? "none" : String(s + 1);
    switch (style) {
      case 0:
        return `${item.id}: ${v}`;
      case 1:
        return `- **${item.id}**: ${s === null ? "None" : `entry ${v}`}`;
      default:
        return `${item.id} - ${v}`;
    }
  });
  return { text: lines.join("\n") + "\n", lines: [] };
}

/** The simulator's answer to an alias request: each entry's item's alias, or none (an unplaced entry: none). */
export function simAliasAnswer(request: AliasRequest, universe: Universe, identify: Identify): Answer {
  const aliases = universeAliases(universe);
  const lines = request.entries.map((entry, i) => {
    const item = identify(entry);
    const alias = typeof item === "number" ? aliases.byRank.get(item) : undefined;
    return `${i + 1}: ${alias ?? "none"}`;
  });
  return { text: lines.join("\n") + "\n", lines: [] };
}
