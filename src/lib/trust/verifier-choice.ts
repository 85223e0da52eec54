import { isSupported, nextVerifier } from "./policy";
import { MAX_VERIFY_ITEMS } from "./verify-prompt";

/** What choosing a verifier needs to know of an entry. */
export type Checkable = { asked: readonly string[] };
export type SupportOf = { models: readonly string[]; calls: number };

/**
 * The next batch per verifier, in the order of `ready` (each batch in the order of its first
 * entry, up to MAX_VERIFY_ITEMS). An unsupported entry goes to the first model of `informed`
 * (knowledge per dollar, byKnowledgePerDollar) that did not propose it; a supported
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
 * Verifiers by knowledge per dollar measured in the run: the entries each model found (what it
 * knows of this topic) per USD of a typical verification call, most first; ties to the cheaper.
 * The budget buys about one opinion per entry, and an invented name is doubted as often by a
 * model that knows less (src/server/simulator/README.md, "Verification requests"), so a cheap
 * model that knows a fair share gives more verdicts for the same spend. Pure.
 */
export function byKnowledgePerDollar(labels: readonly string[], found: (label: string) => number, unitPrice: (label: string) => number): string[] {
  const value = (m: string) => found(m) / Math.max(unitPrice(m), 1e-12);
  return [...labels].sort((a, b) => value(b) - value(a) || unitPrice(a) - unitPrice(b));
}
