import { inventName, topicHeadNoun } from "./names";
import { Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * Invented members: what a model writes when asked past what it knows. Each model has its own
 * pool of plausible names for a topic (same generator as the universe, never one of its items),
 * so a model may repeat its own inventions but two models rarely share one; `/sim/universe`
 * never lists them. Documented in src/server/simulator/README.md ("Invention").
 */

/** Invented names per model and topic, relative to the universe's size: repeats are possible but rarer than for real items. */
const POOL_FACTOR = 2;
const MAX_POOLS = 64;

export class InventionPools {
  private readonly pools = new Map<string, Map<number, string>>();

  /** The k-th invented name of `model` for `universe` (k taken modulo the pool size). */
  name(universe: Universe, model: string, k: number): string {
    const size = Math.max(16, universe.items.length * POOL_FACTOR);
    const slot = ((k % size) + size) % size;
    const key = `${universe.topic}\u0001${universe.items.length}\u0001${model}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      if (this.pools.size >= MAX_POOLS) this.pools.delete(this.pools.keys().next().value as string);
      this.pools.set(key, (pool = new Map()));
    }
    const hit = pool.get(slot);
    if (hit !== undefined) return hit;
    const rng = Rng.from("invented", universe.topic, model, slot);
    const head = topicHeadNoun(universe.topic);
    let name = inventName(rng, head).name;
    // A name that happens to be a real item is not an invention: draw again from the same stream.
    while (universe.index.has(itemKey(name))) name = inventName(rng, head).name;
    pool.set(slot, name);
    return name;
  }

  /** A random invented name of `model` (uniform over its pool). */
  draw(universe: Universe, model: string, rng: Rng): string {
    return this.name(universe, model, rng.int(Math.max(16, universe.items.length * POOL_FACTOR)));
  }
}

/**
 * How much of what a model knows in the asked scope is already listed: the share of its known
 * items in scope (the focus node, else the whole topic) that the prompt shows as previous
 * entries. 0 for a fresh scope, 1 when everything it knows there is listed. Counted per item,
 * not weighted by popularity: listing the famous few does not exhaust a model that still knows
 * hundreds of others (an unfocused prompt, whose list shows only part of what was found, stays low).
 */
export function exhaustion(known: Uint8Array, previous: ReadonlySet<number>, mask?: Uint8Array): number {
  let total = 0;
  let shown = 0;
  for (let r = 0; r < known.length; r++) {
    if (known[r] !== 1 || (mask !== undefined && mask[r] !== 1)) continue;
    total++;
    if (previous.has(r)) shown++;
  }
  return total > 0 ? shown / total : 1;
}

/**
 * Share of an answer's item slots a model fills with invented names: `rate · e²` for exhaustion
 * `e` (few while the scope is fresh, `rate` when everything known there is already listed).
 */
export function inventionShare(rate: number, e: number): number {
  const x = Math.min(1, Math.max(0, e));
  return Math.min(1, Math.max(0, rate * x * x));
}
