import { z } from "zod";
import { MAX_CONCURRENCY } from "./protocol";
import { providerTargetSchema, type ProviderTarget } from "./providers";
import { MAX_TOPIC_CHARS, cleanTopic } from "./slug";

export const STRATEGIES = ["roundrobin", "priority", "weighted", "backoff", "adaptive"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** Input of `topic.start`, shared by the API, the CLI and the UI form. */
export const startInputSchema = z.object({
  topic: z
    .string()
    .transform(cleanTopic)
    .pipe(
      z
        .string()
        .min(2, "topic must have at least 2 characters")
        .max(MAX_TOPIC_CHARS, `topic must have at most ${MAX_TOPIC_CHARS} characters`),
    ),
  producers: z.number().int().min(1, "at least 1 producer").max(20, "at most 20 producers").optional(),
  providers: z.array(providerTargetSchema).min(1, "at least one provider").max(10, "at most 10 providers").optional(),
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
  stop: z
    .object({
      maxEntries: z.number().int().min(1).max(10_000_000).optional(),
      maxCostUsd: z.number().positive().max(100_000).optional(),
      maxMinutes: z.number().positive().max(7 * 24 * 60).optional(),
      coveragePercent: z.number().min(1).max(100).optional(),
    })
    .optional(),
});
export type StartInput = z.input<typeof startInputSchema>;

export type RunConfig = {
  topic: string;
  producers: number;
  providers: ProviderTarget[];
  requestSize: number;
  promptBudgetTokens: number;
  concurrency: number;
  strategy: StrategyName;
  stop: { maxEntries?: number; maxCostUsd?: number; maxMinutes?: number; coveragePercent?: number };
};

// The defaults bench/llm.ts measured as "budgeted": bounded prompts, ~4.6x the unique entries per token of the naive prompt.
export const DEFAULT_REQUEST_SIZE = 100;
export const DEFAULT_PROMPT_BUDGET_TOKENS = 2_000;

/** Providers offered when the user names none: the real ones that have a key, else the simulator. */
export function defaultProviders(keys: { openai: boolean; anthropic: boolean }): ProviderTarget[] {
  const real: ProviderTarget[] = [];
  if (keys.openai) real.push({ provider: "openai", model: "gpt-4o-mini", weight: 1 });
  if (keys.anthropic) real.push({ provider: "anthropic", model: "claude-3-5-haiku-latest", weight: 1 });
  if (real.length > 0) return real;
  return [
    { provider: "sim", model: "sim-strong", weight: 1 },
    { provider: "sim", model: "sim-weak", weight: 1 },
    { provider: "sim", model: "sim-claude", weight: 1 },
  ];
}

export function resolveRunConfig(
  input: z.output<typeof startInputSchema>,
  defaults: { producers: number; keys: { openai: boolean; anthropic: boolean } },
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
  };
}

/** Spreads producers over targets in proportion to their weights (largest remainder). */
export function assignTargets<T extends { weight?: number }>(targets: T[], producers: number): T[] {
  const weights = targets.map((t) => Math.max(0, t.weight ?? 1));
  const total = weights.reduce((a, b) => a + b, 0) || targets.length;
  const exact = weights.map((w) => ((total === targets.length && w === 0 ? 1 : w) / total) * producers);
  const counts = exact.map(Math.floor);
  let left = producers - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    counts[i]!++;
    left--;
  }
  // Interleave so producer 1..k cover different targets first.
  const out: T[] = [];
  while (out.length < producers) {
    for (let i = 0; i < targets.length; i++) {
      if (counts[i]! > 0) {
        out.push(targets[i]!);
        counts[i]!--;
      }
    }
  }
  return out;
}
