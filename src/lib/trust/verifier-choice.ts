import { isSupported, nextVerifier } from "./policy";
import { MAX_VERIFY_ITEMS } from "./verify-prompt";

/** What choosing a verifier needs to know of an entry. */
export type Checkable = { asked: readonly string[] };
export type SupportOf = { models: readonly string[]; calls: number };

/**
 * The next batch per verifier, in the order of `ready` (each batch in the order of its first
 * entry, up to MAX_VERIFY_ITEMS). An unsupported entry goes to the best-informed model that did
 * not propose it (a real long-tail name is what a model that knows less doubts); a supported
 * one (policy.ts) to the cheapest model, a proposer included: support already counts as one yes,
 * and the check is the on-topic guard. Pure.
 */
export function batchesByVerifier<T extends Checkable>(
  ready: readonly T[],
  support: (item: T) => SupportOf,
  informed: readonly string[],
  cheapest: readonly string[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const i of ready) {
    const s = support(i);
    const label = isSupported({ models: s.models.length, calls: s.calls })
      ? (cheapest.find((m) => !i.asked.includes(m)) ?? cheapest[0] ?? null)
      : nextVerifier(informed, s.models, i.asked);
    if (label === null) continue;
    let g = groups.get(label);
    if (g === undefined) groups.set(label, (g = []));
    if (g.length < MAX_VERIFY_ITEMS) g.push(i);
  }
  return groups;
}
