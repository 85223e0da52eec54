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

/**
 * Verifiers in the order to ask them about an unsupported entry: `informed` (best-informed first)
 * until every one has a learnt discrimination (verifier-model.ts), then by discrimination per
 * dollar: a cheap model that tells real from invented nearly as well as a dear one is asked first
 * (bench:trust-policy: 24 % less spent on verification at the same precision). Pure.
 */
export function byValue(
  informed: readonly string[],
  discrimination: (label: string) => number | null,
  unitPrice: (label: string) => number,
): readonly string[] {
  const d = new Map(informed.map((l) => [l, discrimination(l)] as const));
  if ([...d.values()].some((x) => x === null)) return informed;
  const value = (l: string) => d.get(l)! / Math.max(1e-12, unitPrice(l));
  return [...informed].sort((a, b) => value(b) - value(a));
}
