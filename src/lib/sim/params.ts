import { z } from "zod";
import { DEFAULT_BREAKDOWN_RATES, type BreakdownRates } from "./breakdown";
import type { UniverseShape } from "./hierarchy";
import { DEFAULT_VERIFIER_RATES, type VerifierRates } from "./verify";
import { REASONING_MODES } from "./reasoning";
import { SIM_MODEL_IDS, SIM_MODEL_PROFILES, type SimModelId, type SimModelProfile } from "./models";

/** Every knob of the simulator. Defaults in DEFAULT_SIM_PARAMS; documented in src/server/simulator/README.md. */
export interface SimParams {
  /** Seeds every random choice; a fresh server with the same seed answers the same requests identically. */
  seed: number;
  /** Multiplies all simulated latency; 0 answers instantly (benchmarks, tests). */
  latencyScale: number;
  /** Per-request multiplicative latency jitter (0.2 = ±20 %). */
  latencyJitter: number;
  /** Mean number of items in a topic's universe. */
  universeSize: number;
  /** Per-topic spread of the universe size (0.25 = ±25 %, deterministic from the topic). */
  universeSizeJitter: number;
  /** "hierarchical": categories and sub-categories of varying sizes; "flat": no natural sub-categories. */
  universeShape: UniverseShape;
  /** Mean number of categories under a topic (± 40 % per topic). */
  categories: number;
  /** Mean number of sub-categories per category (± 60 % per category). */
  subcategories: number;
  /** Share of the items of an answer focused on a branch that come from outside that branch. */
  focusSpill: number;
  /**
   * Long-tail recall needs a cue: in a hierarchical universe, this share of the least popular
   * items (rising towards the tail, `cueDependence·sqrt(rank/size)`) is recalled only 1/20 as
   * often by a prompt whose branch does not contain them (an unfocused prompt included).
   * 0 = today's behaviour: any known item comes to mind by its popularity alone.
   */
  cueDependence: number;
  /** Imperfections of breakdown answers (src/lib/sim/breakdown.ts). */
  breakdown: BreakdownRates;
  /** Zipf exponent of popularity: weight of the item of rank r is 1/(r+1)^s. */
  zipfExponent: number;
  /** How strongly a model's knowledge favours popular items (0 = uniform over ranks). */
  knowledgeSkew: number;
  /** Share of items with surface noise (case, plural, article, punctuation, description, markdown, numbering). */
  noiseRate: number;
  /** Share of answers starting with a preamble line ("Here are 50 more items:"). */
  preambleRate: number;
  /** Share of answers ending with a sign-off line ("Let me know if you need more!"). */
  signoffRate: number;
  /** Share of requests answered with a 500. */
  errorRate500: number;
  /** Share of requests answered with "overloaded" (529 on the Anthropic wire, 503 on the OpenAI wire). */
  overloadRate: number;
  /** Share of streamed answers that break off mid-stream with an error event. */
  streamErrorRate: number;
  /** Answer every request with this status (429, 500, 503 or 529), or null. For tests. */
  forceStatus: 429 | 500 | 503 | 529 | null;
  /** retry-after given with a forced 429. */
  forceRetryAfterMs: number;
  /** false disables the RPM/TPM limits of all models. */
  rateLimits: boolean;
  /** Burst window of the rate limits: a client may spend limit × window / 1 min at once (60000 = a whole minute). */
  rateLimitWindowMs: number;
  /** Multiplies every model's inventRate: 1 = the documented rates, 0 = models never invent. */
  invention: number;
  /** Error rates of the simulated verifier (src/lib/sim/verify.ts). */
  verifier: VerifierRates;
  /** Per-model behaviour. */
  models: Record<SimModelId, SimModelProfile>;
}

/** A partial SimParams, deep for `models`: what `startSimulator({ params })`, `x-sim-params` and IGENTAI_SIM_PARAMS accept. */
export type SimParamsOverride = Partial<Omit<SimParams, "models" | "breakdown" | "verifier">> & {
  models?: Partial<Record<SimModelId, Partial<SimModelProfile>>>;
  breakdown?: Partial<BreakdownRates>;
  verifier?: Partial<VerifierRates>;
};

export const DEFAULT_SIM_PARAMS: Readonly<SimParams> = {
  seed: 1,
  latencyScale: 1,
  latencyJitter: 0.2,
  universeSize: 2000,
  universeSizeJitter: 0.25,
  universeShape: "hierarchical",
  categories: 8,
  subcategories: 5,
  focusSpill: 0.1,
  cueDependence: 0,
  breakdown: DEFAULT_BREAKDOWN_RATES,
  zipfExponent: 1,
  knowledgeSkew: 0.5,
  noiseRate: 0.15,
  preambleRate: 0.6,
  signoffRate: 0.25,
  errorRate500: 0.01,
  overloadRate: 0.01,
  streamErrorRate: 0,
  forceStatus: null,
  forceRetryAfterMs: 1000,
  rateLimits: true,
  rateLimitWindowMs: 60_000,
  invention: 1,
  verifier: DEFAULT_VERIFIER_RATES,
  models: SIM_MODEL_PROFILES,
};

const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0).finite();
const positive = z.number().positive().finite();

const modelProfileOverrideSchema = z
  .object({
    breadth: rate,
    repeatRate: rate,
    avoidHalfLifeTokens: positive,
    junkRate: rate,
    inventRate: rate,
    tokensPerSecond: positive,
    ttftMs: nonNegative,
    prefillMsPer1kTokens: nonNegative,
    contextWindow: z.number().int().positive(),
    maxOutputTokens: z.number().int().positive(),
    rpm: z.number().int().min(0),
    tpm: z.number().int().min(0),
    reasoning: z.enum(REASONING_MODES),
  })
  .partial()
  .strict();

const modelsShape = Object.fromEntries(SIM_MODEL_IDS.map((id) => [id, modelProfileOverrideSchema.optional()])) as Record<
  SimModelId,
  z.ZodOptional<typeof modelProfileOverrideSchema>
>;

/** Validates a partial override (header, env, options). Unknown keys are errors, so a typo is not silently ignored. */
export const simParamsOverrideSchema = z
  .object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    latencyScale: z.number().min(0).max(1000),
    latencyJitter: rate,
    universeSize: z.number().int().min(1).max(200_000),
    universeSizeJitter: z.number().min(0).max(0.9),
    universeShape: z.enum(["hierarchical", "flat"]),
    categories: z.number().int().min(2).max(100),
    subcategories: z.number().int().min(2).max(24),
    focusSpill: rate,
    cueDependence: rate,
    breakdown: z
      .object({ overlapRate: rate, broadRate: rate, outsidePerAnswer: z.number().min(0).max(20), relistRate: rate })
      .partial()
      .strict(),
    zipfExponent: z.number().min(0).max(5),
    knowledgeSkew: z.number().min(0).max(10),
    noiseRate: rate,
    preambleRate: rate,
    signoffRate: rate,
    errorRate500: rate,
    overloadRate: rate,
    streamErrorRate: rate,
    forceStatus: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(529), z.null()]),
    forceRetryAfterMs: nonNegative,
    rateLimits: z.boolean(),
    rateLimitWindowMs: z.number().int().min(1).max(60_000),
    invention: z.number().min(0).max(4),
    verifier: z
      .object({
        inventedAccept: rate,
        inventedUnsure: rate,
        offTopicAccept: rate,
        knownReject: rate,
        tailReject: rate,
        knownUnsure: rate,
        unknownAccept: rate,
        unknownReject: rate,
        reaskSame: rate,
        sharedView: rate,
      })
      .partial()
      .strict(),
    models: z.object(modelsShape).strict(),
  })
  .partial()
  .strict();

export class SimParamsError extends Error {}

/** Parses an override from unknown JSON; throws SimParamsError with a readable message. */
export function parseSimParamsOverride(input: unknown, source = "sim params"): SimParamsOverride {
  const parsed = simParamsOverrideSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new SimParamsError(`invalid ${source}: ${issues}`);
  }
  return parsed.data as SimParamsOverride;
}

/** Parses an override from a JSON string (header or env value). */
export function parseSimParamsJson(json: string, source = "sim params"): SimParamsOverride {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new SimParamsError(`invalid ${source}: not JSON`);
  }
  return parseSimParamsOverride(value, source);
}

/** Applies overrides left to right onto `base`; `models` is merged per model and field. */
export function mergeSimParams(base: Readonly<SimParams>, ...overrides: ReadonlyArray<SimParamsOverride | undefined>): SimParams {
  let out: SimParams = { ...base, models: { ...base.models } };
  for (const o of overrides) {
    if (!o) continue;
    const { models, breakdown, verifier, ...flat } = o;
    const defined = Object.fromEntries(Object.entries(flat).filter(([, v]) => v !== undefined));
    out = { ...out, ...defined, models: out.models, breakdown: { ...out.breakdown, ...breakdown }, verifier: { ...out.verifier, ...verifier } };
    if (models) {
      for (const id of SIM_MODEL_IDS) {
        const m = models[id];
        if (m) out.models[id] = { ...out.models[id], ...m };
      }
    }
  }
  return out;
}
