/**
 * The repeated share at which an answer's new entries count half, and how steeply the count
 * falls around it. Calibrated on the simulator's live runs (bench:tree-live, 260 item calls of
 * three models with the truth at hand): the share of an answer's new entries that were real was
 * 0.99 when it repeated under 10 % of its list, 0.52 at 10-20 %, 0.17 at 20-30 %, 0.08 at
 * 30-40 % and 0.02 above; this curve gives 0.96, 0.50, 0.18, 0.07 and 0.04 at those shares'
 * middles. That the simulator's models repeat before they invent is its assumption (see
 * src/server/simulator/README.md); a real model that repeats its list while it still knows
 * more only loses some routing weight, never an entry.
 */
export const HALF_TRUST_REPEATED = 0.15;
export const TRUST_STEEPNESS = 3;

/**
 * How far the new entries of one item call count before anything has verified them, read from
 * the answer itself: the share of its items that its prompt listed as already found.
 *
 * A model told to list members that are not on a list repeats listed ones when it has few
 * others left to give in that scope (it still answers with the number asked for), and past
 * what it knows it pads with plausible inventions (KITAB, arXiv 2310.15511: answers get less
 * correct as the members asked for get rarer; WikiProfile, arXiv 2602.14080). So the
 * names that are new in an answer that is mostly repeats are mostly invented, while an answer
 * with few repeats comes from a model that still has members to give. Without this, an
 * invention counts as a new entry, and the cheap model that invents most looks like the best
 * buy in every exhausted branch (issue #18's live run: one model took 165 of 221 calls, and 39
 * of its last 1,898 entries were real).
 *
 * Repeats of entries found elsewhere but not shown are ordinary overlap and do not count:
 * only the exclusion list the model was given (the producer counts them: producer-call.ts).
 * The router counts a model's new entries at the trust of its recent answers, times the share
 * verification keeps when it is on; the marginal-cost stop counts them the same way
 * (routing/optimizer.ts). The topic tree's branches and arms count raw new entries: weighing
 * them too was measured (bench:tree-live 89.6 % at 0.25 M tokens against 89.2 % without, but
 * in-process bench:explore 0.2-0.5 points lower in single cells) and not kept.
 */
export function answerTrust(itemsParsed: number, itemsShown: number | undefined): number {
  if (!(itemsParsed > 0) || !(itemsShown !== undefined && itemsShown > 0)) return 1;
  const repeated = Math.min(1, itemsShown / itemsParsed);
  return 1 / (1 + (repeated / HALF_TRUST_REPEATED) ** TRUST_STEEPNESS);
}

/**
 * Below this trust an answer is "repeating": the entries it introduced are a kind of their own
 * for verification (verifier-model.ts kindOf), whose share of inventions the run learns apart.
 * 0.5 is the curve's middle, a repeated share of HALF_TRUST_REPEATED.
 */
export const REPEATING_BELOW = 0.5;

/** Whether an answer repeated enough of its prompt's list that its new entries are a kind apart. */
export function isRepeatingAnswer(itemsParsed: number, itemsShown: number | undefined): boolean {
  return answerTrust(itemsParsed, itemsShown) < REPEATING_BELOW;
}
