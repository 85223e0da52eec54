import type { BranchCounters } from "./branch";

/**
 * A split is scored by what its children yield (new entries per resolved candidate over their
 * first calls) against the parent's marginal yield when it was split: the subtopics beat
 * asking the parent again, or they did not.
 */
export function splitOutcome(kids: readonly BranchCounters[], yieldBefore: number | null) {
  const calls = kids.reduce((n, c) => n + c.calls, 0);
  const candidates = kids.reduce((n, c) => n + c.candidates, 0);
  const yieldAfter = candidates > 0 ? kids.reduce((n, c) => n + c.newEntries, 0) / candidates : 0;
  const score = yieldBefore !== null && yieldBefore > 0 ? Math.min(10, yieldAfter / yieldBefore - 1) : yieldAfter > 0 ? 1 : 0;
  const outcome = {
    score: Math.round(score * 1e4) / 1e4,
    improved: score > 0,
    sufficient: true,
    metric: "children's yield vs the parent's",
    yieldBefore,
    yieldAfter,
    calls,
  };
  return { score, outcome };
}
