import { z } from "zod";
import { isProviderId, PROVIDER_IDS, PROVIDERS, providerSpec, registryPrices, targetLabel, type ModelPrice } from "./providers";

export type { ModelPrice };

/**
 * What a call costs: USD per million prompt and completion tokens, per `provider:model`.
 * Defaults are the registry's list prices (src/lib/providers.ts); `IGENTAI_PRICES` overrides
 * or extends them.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = registryPrices();

/** A local server's calls cost nothing per token (unless IGENTAI_PRICES says otherwise). */
const FREE: ModelPrice = { inputUsdPerMTok: 0, outputUsdPerMTok: 0 };

const usdPerMTok = z.number().min(0).max(10_000);
const priceSchema = z.union([
  z.object({ inputUsdPerMTok: usdPerMTok, outputUsdPerMTok: usdPerMTok }).strict(),
  z.object({ input: usdPerMTok, output: usdPerMTok }).strict(),
  z.tuple([usdPerMTok, usdPerMTok]),
]);
const EXAMPLE_KEY = targetLabel({ provider: "openai", model: PROVIDERS.openai.cheapModel });
const PRICE_KEY = new RegExp(`^(${PROVIDER_IDS.join("|")}):[A-Za-z0-9._:/@-]+$`);
const overridesSchema = z.record(z.string(), priceSchema).superRefine((record, ctx) => {
  for (const key of Object.keys(record)) {
    if (!PRICE_KEY.test(key)) ctx.addIssue({ code: "custom", path: [key], message: `keys are provider:model, e.g. ${EXAMPLE_KEY}` });
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
 * name extends with a `-` (dated snapshots and aliases: `<model>-2024-07-18`, `<model>-latest`);
 * any model of a local server (Ollama, vLLM, LM Studio) costs 0.
 * null when unknown: cost is then reported as unknown, not 0.
 */
export function priceOf(table: PriceTable, provider: string, model: string): ModelPrice | null {
  const key = targetLabel({ provider, model });
  const exact = table.get(key);
  if (exact) return exact;
  // Only dated snapshots and aliases inherit a price: "<model>-6" or "<model>-pro" are other
  // models with other prices, not versions of "<model>".
  let best: { len: number; price: ModelPrice } | null = null;
  for (const [k, price] of table) {
    if (key.startsWith(`${k}-`) && SNAPSHOT_SUFFIX.test(key.slice(k.length)) && (!best || k.length > best.len)) best = { len: k.length, price };
  }
  if (best) return best.price;
  return isProviderId(provider) && provider !== "sim" && providerSpec(provider).local ? FREE : null;
}

/** USD cost of one call, or null when the model has no price. */
export function callCostUsd(table: PriceTable, call: { provider: string; model: string; promptTokens: number; completionTokens: number }): number | null {
  const price = priceOf(table, call.provider, call.model);
  if (!price) return null;
  return (call.promptTokens * price.inputUsdPerMTok + call.completionTokens * price.outputUsdPerMTok) / 1_000_000;
}
