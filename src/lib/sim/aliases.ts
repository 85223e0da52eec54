import { inventName, topicHeadNoun } from "./names";
import { hash01, Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * Other names of a universe's items, so alias handling works offline: a share of the items
 * have one alias (an invented name, deterministic from the topic and the rank), which the
 * simulated judge knows as the same item and the simulator gives when asked for other names
 * (src/lib/dedup/aliases.ts). Producers never emit aliases: the simulator's lists are unchanged.
 */

/** Share of items with an alias. */
export const SIM_ALIAS_SHARE = 0.2;

export interface UniverseAliases {
  /** rank -> its alias. */
  byRank: ReadonlyMap<number, string>;
  /** itemKey(alias) -> rank. */
  index: ReadonlyMap<string, number>;
}

const cache = new WeakMap<Universe, UniverseAliases>();

export function universeAliases(universe: Universe): UniverseAliases {
  let aliases = cache.get(universe);
  if (aliases !== undefined) return aliases;
  const byRank = new Map<number, string>();
  const index = new Map<string, number>();
  const head = topicHeadNoun(universe.topic);
  for (let rank = 0; rank < universe.items.length; rank++) {
    if (hash01("alias", universe.topic, rank) >= SIM_ALIAS_SHARE) continue;
    const { name } = inventName(Rng.from("alias", universe.topic, rank), head);
    const key = itemKey(name);
    // An alias that spells an item or another alias would name two things: none for this rank.
    if (universe.index.has(key) || index.has(key)) continue;
    byRank.set(rank, name);
    index.set(key, rank);
  }
  aliases = { byRank, index };
  cache.set(universe, aliases);
  return aliases;
}
