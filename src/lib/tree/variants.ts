import { adaptiveWeights } from "../routing/adaptive";
import type { Rng } from "../stats/math";
import { ArmStats } from "./allocate";

/**
 * Prompt optimisation (seed decision #8, phase 2): a small set of prompt variants tried side by
 * side and chosen by the statistics that route calls: new entries per token, with Thompson
 * sampling over the variants (the router's `adaptiveWeights`, exposure counted in tokens).
 * Every change of the leading variant is an event; it is scored later like a routing decision
 * (`scoreAgainstCounterfactual` in src/lib/routing/score.ts).
 */

export type PromptVariant = {
  id: string;
  /** Items asked per call. */
  requestSize: number;
  /** Share of the known-entries budget for the branch's own entries. */
  ownShare: number;
  /** Ask for less obvious members. */
  lessObvious: boolean;
  /** Sampling temperature, where the provider accepts one (null: provider default). */
  temperature: number | null;
};

export const DEFAULT_VARIANT: PromptVariant = { id: "base", requestSize: 50, ownShare: 0.6, lessObvious: false, temperature: null };

export const PROMPT_VARIANTS: readonly PromptVariant[] = [
  DEFAULT_VARIANT,
  { id: "more-items", requestSize: 100, ownShare: 0.6, lessObvious: false, temperature: null },
  { id: "own-heavy", requestSize: 50, ownShare: 0.9, lessObvious: false, temperature: null },
  { id: "less-obvious", requestSize: 50, ownShare: 0.6, lessObvious: true, temperature: null },
  { id: "warm", requestSize: 50, ownShare: 0.6, lessObvious: false, temperature: 1.0 },
];

export type VariantSwitch = { at: number; from: string; to: string; weights: Record<string, number>; oldWeights: Record<string, number> };

export class VariantSelector {
  private readonly stats = new ArmStats(8);
  private weightsNow: Record<string, number>;
  private leader: string;

  constructor(
    readonly variants: readonly PromptVariant[] = PROMPT_VARIANTS,
    private readonly opts: { minShare?: number; draws?: number } = {},
  ) {
    if (variants.length === 0) throw new Error("at least one prompt variant");
    this.weightsNow = Object.fromEntries(variants.map((v) => [v.id, 1 / variants.length]));
    this.leader = variants[0]!.id;
  }

  weights(): Record<string, number> {
    return { ...this.weightsNow };
  }

  /** One finished call made with `variantId`: its new entries and tokens (prompt + completion). */
  observe(variantId: string, itemsNew: number, tokens: number): void {
    // Exposure in tokens: the router's per-dollar side with tokens standing in for dollars.
    this.stats.observe(variantId, { itemsNew, latencyMs: 1, costUsd: tokens });
  }

  /** Re-weights from the evidence; returns the switch when the leading variant changed. */
  update(at: number, rng: Rng): VariantSwitch | null {
    const ids = this.variants.map((v) => v.id);
    const r = adaptiveWeights(
      this.stats.snapshot(ids),
      ids,
      { objective: "per_dollar", minShare: this.opts.minShare ?? 0.05, draws: this.opts.draws ?? 500, minCallCostUsd: 1 },
      rng,
    );
    if (!r.informed) return null;
    const oldWeights = this.weightsNow;
    this.weightsNow = r.weights;
    const best = r.best ?? this.leader;
    if (best === this.leader) return null;
    const from = this.leader;
    this.leader = best;
    return { at, from, to: best, weights: { ...r.weights }, oldWeights: { ...oldWeights } };
  }

  pick(rng: Rng): PromptVariant {
    let u = rng();
    for (const v of this.variants) if ((u -= this.weightsNow[v.id] ?? 0) < 0) return v;
    return this.variants.at(-1)!;
  }
}
