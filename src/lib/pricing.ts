import { z } from "zod";
import { targetLabel } from "./providers";
import { SIM_MODEL_IDS, SIM_MODEL_PRICES, type ModelPrice } from "./sim/models";

export type { ModelPrice };

/**
 * What a call costs: USD per million prompt and completion tokens, per `provider:model`.
 * Defaults are list prices at the time of writing (standard tier, no caching or batch
 * discounts); `IGENTAI_PRICES` overrides or extends them. The simulated models' prices
 * come from src/lib/sim/models.ts.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  "openai:gpt-4o-mini": { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 },
  "openai:gpt-4o": { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
  "openai:gpt-4.1": { inputUsdPerMTok: 2, outputUsdPerMTok: 8 },
  "openai:gpt-4.1-mini": { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6 },
  "openai:gpt-4.1-nano": { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4 },
  "openai:gpt-5": { inputUsdPerMTok: 1.25, outputUsdPerMTok: 10 },
  "openai:gpt-5-mini": { inputUsdPerMTok: 0.25, outputUsdPerMTok: 2 },
  "openai:gpt-5-nano": { inputUsdPerMTok: 0.05, outputUsdPerMTok: 0.4 },
  "openai:o4-mini": { inputUsdPerMTok: 1.1, outputUsdPerMTok: 4.4 },
  "anthropic:claude-3-5-haiku": { inputUsdPerMTok: 0.8, outputUsdPerMTok: 4 },
  "anthropic:claude-3-5-sonnet": { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
  "anthropic:claude-3-7-sonnet": { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
  "anthropic:claude-haiku-4-5": { inputUsdPerMTok: 1, outputUsdPerMTok: 5 },
  "anthropic:claude-sonnet-4": { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
  "anthropic:claude-sonnet-4-5": { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
  "anthropic:claude-opus-4": { inputUsdPerMTok: 15, outputUsdPerMTok: 75 },
  "anthropic:claude-opus-4-1": { inputUsdPerMTok: 15, outputUsdPerMTok: 75 },
  ...Object.fromEntries(SIM_MODEL_IDS.map((id) => [`sim:${id}`, SIM_MODEL_PRICES[id]])),
};

const usdPerMTok = z.number().min(0).max(10_000);
const priceSchema = z.union([
  z.object({ inputUsdPerMTok: usdPerMTok, outputUsdPerMTok: usdPerMTok }).strict(),
  z.object({ input: usdPerMTok, output: usdPerMTok }).strict(),
  z.tuple([usdPerMTok, usdPerMTok]),
]);
const PRICE_KEY = /^(openai|anthropic|sim):[A-Za-z0-9._:/@-]+$/;
const overridesSchema = z.record(z.string(), priceSchema).superRefine((record, ctx) => {
  for (const key of Object.keys(record)) {
    if (!PRICE_KEY.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "keys are provider:model, e.g. openai:gpt-4o-mini" });
  }
});

export class PriceConfigError extends Error {}

/**
 * Parses IGENTAI_PRICES: a JSON object `{"provider:model": price}` where price is
 * `{"input": 0.15, "output": 0.6}`, `{"inputUsdPerMTok": .., "outputUsdPerMTok": ..}` or
 * `[0.15, 0.6]`, all in USD per million tokens. Throws PriceConfigError with a readable message.
 */
export function parsePriceOverrides(json: string | undefined): Record<string, ModelPrice> {
  if (json === undefined || json.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PriceConfigError("IGENTAI_PRICES is not valid JSON");
  }
  const parsed = overridesSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new PriceConfigError(`IGENTAI_PRICES: ${issues}`);
  }
  return Object.fromEntries(
    Object.entries(parsed.data).map(([key, p]) => [
      key,
      Array.isArray(p) ? { inputUsdPerMTok: p[0], outputUsdPerMTok: p[1] } : "input" in p ? { inputUsdPerMTok: p.input, outputUsdPerMTok: p.output } : p,
    ]),
  );
}

export type PriceTable = ReadonlyMap<string, ModelPrice>;

const SNAPSHOT_SUFFIX = /^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest|preview)$/;

export function createPriceTable(overrides: Record<string, ModelPrice> = {}): PriceTable {
  return new Map(Object.entries({ ...DEFAULT_PRICES, ...overrides }));
}

/**
 * The price of `provider:model`: exact match, else the longest table key that the model
 * name extends with a `-` (dated snapshots and aliases: `gpt-4o-mini-2024-07-18`,
 * `claude-3-5-haiku-latest`). null when unknown: cost is then reported as unknown, not 0.
 */
export function priceOf(table: PriceTable, provider: string, model: string): ModelPrice | null {
  const key = targetLabel({ provider, model });
  const exact = table.get(key);
  if (exact) return exact;
  // Only dated snapshots and aliases inherit a price: "claude-opus-4-6" or "gpt-5-pro" are
  // other models with other prices, not versions of "claude-opus-4" or "gpt-5".
  let best: { len: number; price: ModelPrice } | null = null;
  for (const [k, price] of table) {
    if (key.startsWith(`${k}-`) && SNAPSHOT_SUFFIX.test(key.slice(k.length)) && (!best || k.length > best.len)) best = { len: k.length, price };
  }
  return best?.price ?? null;
}

/** USD cost of one call, or null when the model has no price. */
export function callCostUsd(table: PriceTable, call: { provider: string; model: string; promptTokens: number; completionTokens: number }): number | null {
  const price = priceOf(table, call.provider, call.model);
  if (!price) return null;
  return (call.promptTokens * price.inputUsdPerMTok + call.completionTokens * price.outputUsdPerMTok) / 1_000_000;
}
