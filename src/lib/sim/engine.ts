import type { WireFormat } from "../providers";
import { planLatency, type LatencyPlan } from "./latency";
import { isSimModelId, simModelWire, SIM_MODEL_IDS, type SimModelId, type SimModelProfile } from "./models";
import { DEFAULT_SIM_PARAMS, mergeSimParams, parseSimParamsJson, SimParamsError, type SimParams, type SimParamsOverride } from "./params";
import { composeBreakdown } from "./breakdown";
import { generateHierarchy, realHierarchy, resolvePath, type Hierarchy, type RealCategory } from "./hierarchy";
import type { RealUniverseSpec } from "./real-list";
import { parsePrompt, readRequest, type ParsedPrompt } from "./prompt";
import { hash01, hashString, Rng } from "./prng";
import { RateLimiter, type BucketState } from "./rate-limit";
import { composeAnswer, writeOut, type Answer } from "./respond";
import { composeReasoning, inlineThinking } from "./reasoning";
import { splitReasoning } from "../reasoning";
import { countPromptTokens, countTokens } from "./tokens";
import { canonicalTopic, generateUniverse, knownRanks, universeFromNames, zipfWeights, type Universe } from "./universe";
import { parseAliasPrompt } from "../dedup/aliases";
import { parseJudgePrompt, parseSelectorPrompt } from "../dedup/judge";
import { SIM_JUDGE_ERROR_RATE, simAliasAnswer, simJudgeAnswer, simSelectorAnswer, universeIdentify } from "./judge";
import { parseVerifyPrompt } from "../trust/verify-prompt";
import { InventionPools } from "./invent";
import { simOpinion, simVerifyAnswer, truthOf } from "./verify";

/**
 * The simulator without HTTP: one request in (already read off the wire), one outcome out.
 * Holds the state that outlives a request (rate-limit buckets, caches, how often a prompt was
 * seen); the clock is passed in. The server translates outcomes into each provider's format.
 */

/** Expected output tokens per requested item, for rate-limit accounting before generating. */
export const TOKENS_PER_ITEM_ESTIMATE = 8;

export interface SimRequest {
  wire: WireFormat;
  model: string;
  /** API key from Authorization: Bearer or x-api-key; null or "" when missing. */
  apiKey: string | null;
  /** Text of every message, system first. */
  messageTexts: string[];
  /** max_tokens / max_completion_tokens; null when not given (OpenAI). */
  maxTokens: number | null;
  stopSequences: string[];
  stream: boolean;
  /** Raw `x-sim-params` header (JSON), if any. */
  paramsHeader?: string | undefined;
}

export type RateLimitState = { requests: BucketState | null; tokens: BucketState | null };

export type SimFailure =
  | { kind: "authentication"; message: string }
  | { kind: "not_found"; message: string; model: string }
  | { kind: "invalid_request"; message: string; param?: string }
  | { kind: "context_length"; promptTokens: number; maxTokens: number; contextWindow: number; promptAlone: boolean }
  | { kind: "max_tokens_too_large"; maxTokens: number; limit: number }
  | {
      kind: "rate_limit";
      limitedBy: "requests" | "tokens";
      tooLarge: boolean;
      retryAfterMs: number;
      limit: number;
      requested: number;
    }
  | { kind: "server" }
  | { kind: "overloaded"; status: 503 | 529 };

export type SimOutcome =
  | {
      ok: true;
      model: SimModelId;
      /** The answer as the model writes it (inline `<think>` blocks included). */
      text: string;
      /** Reasoning sent apart from the answer (`reasoning_content`, a thinking block); "" for most models. */
      reasoning: string;
      answer: Answer;
      promptTokens: number;
      /** Reasoning and answer. */
      outputTokens: number;
      /** The reasoning's share of outputTokens (inline or apart). */
      reasoningTokens: number;
      finish: "end" | "length" | "stop_sequence";
      stopSequence: string | null;
      latency: LatencyPlan;
      /** For a streamed answer that breaks off: the character offset where the error event comes. */
      streamErrorAtChar: number | null;
      rateLimit: RateLimitState | null;
    }
  | { ok: false; failure: SimFailure; rateLimit: RateLimitState | null };

export interface UniverseInfo {
  topic: string;
  size: number;
  /** How many items each model knows. */
  knownByModel: Record<SimModelId, number>;
  /** Items known by at least one model: the most any combination of models can find. */
  reachable: number;
  items?: string[];
  shape: "hierarchical" | "flat";
  /** With items: every category and sub-category, with its parent's index in this list and its size. */
  categories?: Array<{ label: string; parent: number | null; depth: number; size: number }>;
}

const MAX_CACHED = 64;
/** Popularity exponent and junk-rate multipliers of a request asking for less obvious members. */
const LESS_OBVIOUS_EXPONENT = 0.8;
const LESS_OBVIOUS_JUNK = 1.5;
/** Recall of an item that needs a cue, by a prompt that does not give it. */
const CUELESS_RECALL = 0.05;
const MAX_OCCURRENCES = 100_000;

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = make();
  cache.set(key, value);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return value;
}

export class SimEngine {
  readonly params: SimParams;
  private readonly universes = new Map<string, Universe>();
  private readonly hierarchies = new Map<string, Hierarchy>();
  private readonly cues = new Map<string, Float64Array | null>();
  private readonly knowledge = new Map<string, Uint8Array>();
  private readonly weights = new Map<string, Float64Array>();
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly invented = new InventionPools();
  /** How many times each (model, prompt) was answered: identical prompts get different answers. */
  private readonly occurrences = new Map<number, number>();

  /** Universes of real name lists, by canonical topic: they replace the generated ones for that topic. */
  private readonly real = new Map<string, { universe: Universe; hierarchy: Hierarchy }>();

  constructor(overrides?: SimParamsOverride, opts: { realUniverses?: readonly RealUniverseSpec[] } = {}) {
    this.params = mergeSimParams(DEFAULT_SIM_PARAMS, overrides);
    for (const spec of opts.realUniverses ?? []) {
      const names: string[] = [];
      const collect = (c: RealCategory) => {
        names.push(...(c.items ?? []));
        for (const child of c.children ?? []) collect(child);
      };
      spec.categories.forEach(collect);
      const universe = universeFromNames(spec.topic, names);
      this.real.set(universe.topic, { universe, hierarchy: realHierarchy(universe, spec.plural, spec.categories) });
    }
  }

  /** Params for one request: server params plus the request's x-sim-params. Throws SimParamsError. */
  paramsFor(paramsHeader?: string): SimParams {
    if (paramsHeader === undefined || paramsHeader.trim() === "") return this.params;
    return mergeSimParams(this.params, parseSimParamsJson(paramsHeader, "x-sim-params header"));
  }

  universe(topic: string, params: SimParams = this.params): Universe {
    const real = this.real.get(canonicalTopic(topic));
    if (real) return real.universe;
    const key = `${canonicalTopic(topic)}\u0001${params.universeSize}\u0001${params.universeSizeJitter}`;
    return remember(this.universes, key, () => generateUniverse(topic, params.universeSize, params.universeSizeJitter));
  }

  /** The categories of a topic's universe (flat when `universeShape` says so). */
  hierarchy(topic: string, params: SimParams = this.params): Hierarchy {
    const real = this.real.get(canonicalTopic(topic));
    if (real) return real.hierarchy;
    const universe = this.universe(topic, params);
    const key = `${universe.topic}\u0001${universe.items.length}\u0001${params.universeShape}\u0001${params.categories}\u0001${params.subcategories}`;
    return remember(this.hierarchies, key, () =>
      generateHierarchy(universe, { shape: params.universeShape, categories: params.categories, subcategories: params.subcategories }),
    );
  }

  /** Recall multipliers of the items that need a cue (null: none do). */
  private cue(topic: string, params: SimParams): Float64Array | null {
    const h = this.hierarchy(topic, params);
    if (h.shape === "flat" || params.cueDependence <= 0) return null;
    const n = h.leafOf.length;
    return remember(this.cues, `${h.nodes[0]!.label}\u0001${n}\u0001${params.cueDependence}`, () => {
      const m = new Float64Array(n);
      for (let r = 0; r < n; r++) m[r] = hash01("cue", h.nodes[0]!.label, r) < params.cueDependence * Math.sqrt(r / n) ? CUELESS_RECALL : 1;
      return m;
    });
  }

  known(universe: Universe, model: SimModelId, params: SimParams): Uint8Array {
    const profile = params.models[model];
    const key = `${universe.topic}\u0001${universe.items.length}\u0001${model}\u0001${profile.breadth}\u0001${params.knowledgeSkew}`;
    return remember(this.knowledge, key, () => knownRanks(universe, model, profile.breadth, params.knowledgeSkew));
  }

  private zipf(n: number, exponent: number): Float64Array {
    return remember(this.weights, `${n}\u0001${exponent}`, () => zipfWeights(n, exponent));
  }

  universeInfo(topic: string, withItems = false, params: SimParams = this.params): UniverseInfo {
    const u = this.universe(topic, params);
    const union = new Uint8Array(u.items.length);
    const knownByModel = {} as Record<SimModelId, number>;
    for (const id of SIM_MODEL_IDS) {
      const k = this.known(u, id, params);
      let n = 0;
      for (let r = 0; r < k.length; r++) {
        if (k[r] === 1) {
          n++;
          union[r] = 1;
        }
      }
      knownByModel[id] = n;
    }
    const reachable = union.reduce((a, b) => a + b, 0);
    const h = this.hierarchy(topic, params);
    const categories = h.nodes.map((x) => ({ label: x.label, parent: x.parent, depth: x.depth, size: x.ranks.length }));
    return { topic: u.topic, size: u.items.length, knownByModel, reachable, shape: h.shape, ...(withItems ? { items: [...u.items], categories } : {}) };
  }

  private limiter(apiKey: string, model: SimModelId, profile: SimModelProfile, windowMs: number, now: number): RateLimiter {
    const key = `${apiKey}\u0001${model}\u0001${profile.rpm}\u0001${profile.tpm}\u0001${windowMs}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiter(profile.rpm, profile.tpm, now, windowMs);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  private occurrence(model: string, texts: readonly string[]): { promptHash: number; n: number } {
    const promptHash = hashString(`${model}\u0000${texts.join("\u0000")}`);
    if (this.occurrences.size > MAX_OCCURRENCES) this.occurrences.clear();
    const n = this.occurrences.get(promptHash) ?? 0;
    this.occurrences.set(promptHash, n + 1);
    return { promptHash, n };
  }

  handle(req: SimRequest, now: number): SimOutcome {
    const fail = (failure: SimFailure, rateLimit: RateLimitState | null = null): SimOutcome => ({ ok: false, failure, rateLimit });

    if (!req.apiKey) {
      return fail({
        kind: "authentication",
        message:
          req.wire === "openai"
            ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            : "x-api-key header is required",
      });
    }
    let params: SimParams;
    try {
      params = this.paramsFor(req.paramsHeader);
    } catch (e) {
      if (e instanceof SimParamsError) return fail({ kind: "invalid_request", message: e.message });
      throw e;
    }
    if (!isSimModelId(req.model) || simModelWire(req.model) !== req.wire) {
      return fail({
        kind: "not_found",
        model: req.model,
        message: req.wire === "openai" ? `The model \`${req.model}\` does not exist or you do not have access to it.` : `model: ${req.model}`,
      });
    }
    const model = req.model;
    const profile = params.models[model];
    const promptTokens = countPromptTokens(req.messageTexts);

    if (req.maxTokens !== null && req.maxTokens > profile.maxOutputTokens) {
      return fail({ kind: "max_tokens_too_large", maxTokens: req.maxTokens, limit: profile.maxOutputTokens });
    }
    if (promptTokens > profile.contextWindow) {
      return fail({ kind: "context_length", promptTokens, maxTokens: req.maxTokens ?? 0, contextWindow: profile.contextWindow, promptAlone: true });
    }
    if (req.maxTokens !== null && promptTokens + req.maxTokens > profile.contextWindow) {
      return fail({ kind: "context_length", promptTokens, maxTokens: req.maxTokens, contextWindow: profile.contextWindow, promptAlone: false });
    }
    const maxTokens = req.maxTokens ?? Math.min(profile.maxOutputTokens, profile.contextWindow - promptTokens);

    const request = readRequest(req.messageTexts);
    const prompt = request.kind === "items" ? request.prompt : parsePrompt(req.messageTexts);
    let rateLimit: RateLimitState | null = null;
    if (params.forceStatus === 429) {
      return fail({ kind: "rate_limit", limitedBy: "requests", tooLarge: false, retryAfterMs: params.forceRetryAfterMs, limit: profile.rpm, requested: 1 });
    }
    if (params.rateLimits) {
      const expectedLines = request.kind === "breakdown" ? request.count : prompt.requestSize;
      const cost = promptTokens + Math.min(maxTokens, expectedLines * TOKENS_PER_ITEM_ESTIMATE);
      const decision = this.limiter(req.apiKey, model, profile, params.rateLimitWindowMs, now).admit(cost, now);
      rateLimit = { requests: decision.requests, tokens: decision.tokens };
      if (!decision.allowed) {
        const bucket = decision.limitedBy === "requests" ? decision.requests : decision.tokens;
        return fail(
          {
            kind: "rate_limit",
            limitedBy: decision.limitedBy,
            tooLarge: decision.tooLarge,
            retryAfterMs: decision.retryAfterMs,
            limit: bucket?.limit ?? 0,
            requested: decision.limitedBy === "requests" ? 1 : cost,
          },
          rateLimit,
        );
      }
    }

    if (params.forceStatus === 500) return fail({ kind: "server" }, rateLimit);
    if (params.forceStatus === 503 || params.forceStatus === 529) return fail({ kind: "overloaded", status: params.forceStatus }, rateLimit);

    const { promptHash, n } = this.occurrence(model, req.messageTexts);
    const faults = Rng.from(params.seed, "faults", promptHash, n);
    if (faults.chance(params.errorRate500)) return fail({ kind: "server" }, rateLimit);
    if (faults.chance(params.overloadRate)) return fail({ kind: "overloaded", status: req.wire === "anthropic" ? 529 : 503 }, rateLimit);

    const rng = Rng.from(params.seed, "answer", promptHash, n);
    const topic = prompt.topic ?? fallbackTopic(req.messageTexts);
    const universe = this.universe(topic, params);
    let answer: Answer;
    // A dedup judge request gets verdicts instead of items (src/lib/sim/judge.ts).
    const judgeRequest = parseJudgePrompt(req.messageTexts);
    const selectorRequest = judgeRequest ? null : parseSelectorPrompt(req.messageTexts);
    const aliasRequest = judgeRequest || selectorRequest ? null : parseAliasPrompt(req.messageTexts);
    // A verification request gets the ids it doubts (src/lib/sim/verify.ts).
    const verifyRequest = judgeRequest || selectorRequest || aliasRequest ? null : parseVerifyPrompt(req.messageTexts);
    if (judgeRequest) {
      answer = simJudgeAnswer(judgeRequest, universeIdentify(universe), SIM_JUDGE_ERROR_RATE, rng);
    } else if (selectorRequest) {
      answer = simSelectorAnswer(selectorRequest, universeIdentify(universe), SIM_JUDGE_ERROR_RATE, rng);
    } else if (aliasRequest) {
      answer = simAliasAnswer(aliasRequest, universe, universeIdentify(universe));
    } else if (verifyRequest) {
      const identify = universeIdentify(universe);
      const known = this.known(universe, model, params);
      answer = simVerifyAnswer(verifyRequest, (text) =>
        simOpinion(truthOf(text, identify), (r) => known[r] === 1, universe.items.length, params.verifier, rng, { seed: params.seed, verifier: model, text }),
      );
    } else if (request.kind === "breakdown") {
      answer = composeBreakdown({
        hierarchy: this.hierarchy(topic, params),
        path: request.path,
        existing: request.existing,
        count: request.count,
        // Knowing more of a topic means knowing more of its sub-categories.
        profile: { recall: 0.5 + 0.5 * profile.breadth },
        rates: params.breakdown,
        rng,
      });
    } else {
      const h = request.path.length > 0 ? this.hierarchy(topic, params) : null;
      const cue = this.cue(topic, params);
      const node = h ? resolvePath(h, request.path) : 0;
      // Asked for less obvious members, a model reaches further down the popularity order and
      // hallucinates more (README: "Less obvious members").
      const lessObvious = request.lessObvious;
      answer = composeAnswer({
        universe,
        known: this.known(universe, model, params),
        weights: this.zipf(universe.items.length, params.zipfExponent * (lessObvious ? LESS_OBVIOUS_EXPONENT : 1)),
        prompt: prompt.topic ? prompt : ({ ...prompt, topic } satisfies ParsedPrompt),
        promptTokens,
        profile: lessObvious ? { ...profile, junkRate: Math.min(1, profile.junkRate * LESS_OBVIOUS_JUNK) } : profile,
        params,
        displayTopic: topic.trim(),
        rng,
        ...(h && node !== 0 ? { focus: { mask: h.mask(node), spill: params.focusSpill } } : {}),
        ...(cue ? { cue } : {}),
        ...(params.invention > 0 && profile.inventRate > 0
          ? { invent: { rate: Math.min(1, profile.inventRate * params.invention), name: (r: Rng) => this.invented.draw(universe, model, r) } }
          : {}),
      });
    }

    // A reasoning model thinks before it answers (src/lib/sim/reasoning.ts).
    const thinking =
      profile.reasoning === "none" ? "" : composeReasoning({ universe, known: this.known(universe, model, params), answer, displayTopic: topic.trim(), rng });
    const { text, reasoning, finish, stopSequence } = writeOut(
      inlineThinking(profile.reasoning, thinking) + answer.text,
      profile.reasoning === "field" ? thinking : "",
      req.stopSequences,
      maxTokens,
    );
    const latency = planLatency(profile, params, promptTokens, rng);
    const streamErrorAtChar = req.stream && rng.chance(params.streamErrorRate) ? Math.floor(rng.next() * text.length) : null;
    return {
      ok: true,
      model,
      text,
      reasoning,
      answer,
      promptTokens,
      outputTokens: countTokens(reasoning + text),
      reasoningTokens: countTokens(reasoning || splitReasoning(text).reasoning),
      finish,
      stopSequence,
      latency,
      streamErrorAtChar,
      rateLimit,
    };
  }
}

/** Without a <topic> tag, the first line of the last message stands for the topic. */
function fallbackTopic(texts: readonly string[]): string {
  const last = texts.at(-1) ?? "";
  const line = last.split(/\r?\n/).find((l) => l.trim().length > 0) ?? "";
  return line.trim().slice(0, 200) || "anything";
}
