import { z } from "zod";
import { DEFAULT_PRICES, type ModelPrice } from "./pricing";
import {
  isSimModelId,
  MODEL_NAME,
  PROVIDER_IDS,
  providerSpec,
  providerTargetSchema,
  SIM_MODEL_IDS,
  targetLabel,
  type ProviderId,
  type ProviderTarget,
} from "./providers";
import { availableRealProviders, type ProviderKeys } from "./provider-settings";
import { storable } from "./validation";
import { MAX_CONCURRENCY } from "./protocol";
import { MAX_TOPIC_CHARS, cleanTopic } from "./slug";
import { resolveVerify, verifyInputSchema, type VerifyConfig } from "./trust/config";

export const EXPLORATIONS = ["flat", "tree"] as const;
export type Exploration = (typeof EXPLORATIONS)[number];

export const STRATEGIES = ["roundrobin", "priority", "weighted", "backoff", "adaptive"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

const usdPerMTok = z.number().min(0).max(10_000);

/**
 * A provider/model of a run. A real model the price table does not know needs a `price`
 * (USD per million tokens) or `allowUnpriced: true`: its cost is otherwise unknown, and a
 * cost limit could not stop the run.
 */
export const startTargetSchema = providerTargetSchema
  .extend({
    price: z.object({ inputUsdPerMTok: usdPerMTok, outputUsdPerMTok: usdPerMTok }).strict().optional(),
    allowUnpriced: z.boolean().optional(),
  })
  .superRefine(knownSimModel);
export type StartTarget = z.output<typeof startTargetSchema>;

/** The dedup judge of a run (src/lib/dedup/judge.ts): a cheap model asked about borderline pairs. */
export const judgeInputSchema = z
  .object({ enabled: z.boolean().optional(), provider: z.enum(PROVIDER_IDS).optional(), model: MODEL_NAME.optional() })
  .strict()
  .superRefine((j, ctx) => {
    if (j.provider !== undefined && j.model !== undefined) knownSimModel({ provider: j.provider, model: j.model }, ctx);
  });
export type JudgeConfig = { enabled: boolean; provider: ProviderId; model: string };

/** Input of `topic.start`, shared by the API, the CLI and the UI form. */
export const startInputSchema = z.object({
  topic: storable(z.string().max(10 * MAX_TOPIC_CHARS, `topic must have at most ${MAX_TOPIC_CHARS} characters`))
    .transform(cleanTopic)
    .pipe(z.string().min(2, "topic must have at least 2 characters").max(MAX_TOPIC_CHARS, `topic must have at most ${MAX_TOPIC_CHARS} characters`)),
  producers: z.number().int().min(1, "at least 1 producer").max(20, "at most 20 producers").optional(),
  providers: z.array(startTargetSchema).min(1, "at least one provider").max(10, "at most 10 providers").optional(),
  requestSize: z.number().int().min(5, "at least 5 items per request").max(200, "at most 200 items per request").optional(),
  promptBudgetTokens: z.number().int().min(0).max(100_000).optional(),
  /** LLM calls each producer keeps in flight. */
  concurrency: z
    .number()
    .int("concurrency must be a whole number")
    .min(1, "at least 1 call in flight per producer")
    .max(MAX_CONCURRENCY, `at most ${MAX_CONCURRENCY} calls in flight per producer`)
    .optional(),
  strategy: z.enum(STRATEGIES).optional(),
  /** Default: on with a real provider's key (its cheap model), off with only the simulator. */
  judge: judgeInputSchema.optional(),
  /** Verification of entries (issue #21). Default: on with a real provider's key, off with only the simulator. */
  verify: verifyInputSchema.optional(),
  stop: z
    .object({
      maxEntries: z.number().int().min(1).max(10_000_000).optional(),
      maxCostUsd: z.number().positive().max(100_000).optional(),
      maxMinutes: z
        .number()
        .positive()
        .max(7 * 24 * 60)
        .optional(),
      coveragePercent: z.number().min(1).max(100).optional(),
    })
    .optional(),
  /** `tree` (default): the adaptive topic tree of issue #9; `flat`: one prompt for the whole topic. */
  exploration: z.enum(EXPLORATIONS).optional(),
  tree: z
    .object({
      /** The model that breaks branches into subtopics; default the run's cheapest. */
      breakdownModel: providerTargetSchema.omit({ weight: true }).superRefine(knownSimModel).optional(),
    })
    .strict()
    .optional(),
});
export type StartInput = z.input<typeof startInputSchema>;

/** A simulated model must exist: an unknown one would start producers that fail on every call. */
function knownSimModel(t: { provider: string; model: string }, ctx: z.RefinementCtx): void {
  if (t.provider === "sim" && !isSimModelId(t.model)) {
    ctx.addIssue({
      code: "custom",
      path: ["model"],
      message: `unknown simulator model ${JSON.stringify(t.model)}; known: ${SIM_MODEL_IDS.join(", ")}`,
    });
  }
}

export type RunConfig = {
  topic: string;
  producers: number;
  providers: StartTarget[];
  requestSize: number;
  promptBudgetTokens: number;
  concurrency: number;
  strategy: StrategyName;
  stop: { maxEntries?: number; maxCostUsd?: number; maxMinutes?: number; coveragePercent?: number };
  /** resolveRunConfig always sets both; a config built by hand (benchmarks, tests) without them explores flat. */
  exploration?: Exploration;
  /** Tree runs: the model that answers breakdown requests (the start input's shape, so a stored config reads back the same). */
  tree?: { breakdownModel: { provider: ProviderTarget["provider"]; model: string } };
  /** Absent in runs stored before the judge existed: off. */
  judge?: JudgeConfig;
  /** Absent in runs stored before verification existed: off. */
  verify?: VerifyConfig;
};

/**
 * The run's judge: the input's choices over the default target (`fallback`, e.g. from
 * IGENTAI_JUDGE_MODEL, else the first real provider with a key, else the simulator), each
 * provider's cheap model from the registry. On by default for a real model, off for the
 * simulator (its verdicts are our own model of a judge).
 */
export function resolveJudge(input: z.output<typeof judgeInputSchema> | undefined, keys: ProviderKeys, fallback?: ProviderTarget): JudgeConfig {
  const cheap = (provider: ProviderId) => ({ provider, model: providerSpec(provider).cheapModel });
  const base = fallback ?? cheap(availableRealProviders(keys)[0] ?? "sim");
  const provider = input?.provider ?? base.provider;
  const model = input?.model ?? (provider === base.provider ? base.model : providerSpec(provider).cheapModel);
  return { enabled: input?.enabled ?? provider !== "sim", provider, model };
}

// The defaults bench/llm.ts measured as "budgeted": bounded prompts, ~4.6x the unique entries per token of the naive prompt.
export const DEFAULT_REQUEST_SIZE = 100;
export const DEFAULT_PROMPT_BUDGET_TOKENS = 2_000;

/** Providers a run uses when the user names none: each real one that can be called (its default models), else the simulator's. */
export function defaultProviders(keys: ProviderKeys): ProviderTarget[] {
  const real = availableRealProviders(keys);
  return (real.length > 0 ? real : (["sim"] as const)).flatMap((provider) => {
    const spec = providerSpec(provider);
    return (spec.defaultModels ?? [spec.cheapModel]).map((model) => ({ provider, model, weight: 1 }));
  });
}

export function resolveRunConfig(
  input: z.output<typeof startInputSchema>,
  defaults: { producers: number; keys: ProviderKeys; judge?: ProviderTarget },
): RunConfig {
  return {
    topic: input.topic,
    producers: input.producers ?? defaults.producers,
    providers: input.providers ?? defaultProviders(defaults.keys),
    requestSize: input.requestSize ?? DEFAULT_REQUEST_SIZE,
    promptBudgetTokens: input.promptBudgetTokens ?? DEFAULT_PROMPT_BUDGET_TOKENS,
    concurrency: input.concurrency ?? 1,
    strategy: input.strategy ?? "adaptive",
    stop: input.stop ?? {},
    exploration: input.exploration ?? "tree",
    tree: { breakdownModel: input.tree?.breakdownModel ?? cheapestTarget(input.providers ?? defaultProviders(defaults.keys)) },
    judge: resolveJudge(input.judge, defaults.keys, defaults.judge),
    verify: resolveVerify(input.verify, defaults.keys),
  };
}

/** The run's target with the lowest price per call (output weighs 4x: breakdown answers are short prompts, short lists). */
export function cheapestTarget(targets: readonly StartTarget[]): { provider: ProviderTarget["provider"]; model: string } {
  const cost = (t: StartTarget) => {
    const p = t.price ?? DEFAULT_PRICES[targetLabel(t)];
    return p ? p.inputUsdPerMTok + 4 * p.outputUsdPerMTok : Number.POSITIVE_INFINITY;
  };
  const best = [...targets].sort((a, b) => cost(a) - cost(b))[0]!;
  return { provider: best.provider, model: best.model };
}

/**
 * The first real-provider target whose calls would have no price (not in the price table,
 * no `price` given, no `allowUnpriced`), as a message naming its field; null when all are priced.
 */
export function unpricedTargetIssue(targets: readonly StartTarget[], priceOf: (provider: string, model: string) => ModelPrice | null): string | null {
  for (const [i, t] of targets.entries()) {
    if (t.provider === "sim" || t.price || t.allowUnpriced || priceOf(t.provider, t.model)) continue;
    return `providers.${i}.model: no price is known for ${t.provider}:${t.model}; give "price" (USD per million input/output tokens), set IGENTAI_PRICES, or "allowUnpriced": true to run with its cost unknown`;
  }
  return null;
}

/** USD cost of a call from the price the run's start request gave for its model, or null. */
export function requestPricedCostUsd(
  config: Pick<RunConfig, "providers">,
  call: { provider: string; model: string; promptTokens: number; completionTokens: number },
): number | null {
  const price = config.providers.find((t) => t.provider === call.provider && t.model === call.model)?.price;
  return price ? (call.promptTokens * price.inputUsdPerMTok + call.completionTokens * price.outputUsdPerMTok) / 1_000_000 : null;
}
