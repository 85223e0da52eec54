import type { JudgeDecision, JudgePair, JudgeRequest } from "../dedup/judge";
import type { Answer } from "./respond";
import type { Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * The simulator's answers to dedup judge requests (src/lib/dedup/judge.ts). The simulated judge
 * knows its universe: it says "same" when both texts name one universe item (any surface variant
 * the simulator itself emits), "different" otherwise, including any text it cannot place; then
 * each verdict is flipped with probability `errorRate`, standing for a real model's mistakes.
 */

/** Share of verdicts the simulated judge gets wrong, each way. */
export const SIM_JUDGE_ERROR_RATE = 0.02;

/** What a text names, as far as the judge knows; null for a text it cannot place. */
export type Identify = (text: string) => string | number | null;

/** The universe item a text names (by the simulator's own item key), or null. */
export function universeIdentify(universe: Universe): Identify {
  return (text) => universe.index.get(itemKey(text)) ?? null;
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
