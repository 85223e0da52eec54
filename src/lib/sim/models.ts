import { isSimModelId, PROVIDERS, SIM_MODEL_IDS, type ModelPrice, type SimModelId, type WireFormat } from "../providers";
import type { ReasoningMode } from "./reasoning";

// The simulated models are the registry's `sim` models (src/lib/providers.ts): their ids,
// wires, context windows and prices come from there; their behaviour is below.
export { isSimModelId, SIM_MODEL_IDS, type SimModelId };

export function simModelWire(model: SimModelId): WireFormat {
  return PROVIDERS.sim.models[model].wire;
}

/** What distinguishes one simulated model from another. All fields are overridable per server or request. */
export interface SimModelProfile {
  /** Share of the topic's universe the model knows (0..1); popular items are more likely known. */
  breadth: number;
  /** Weight a previous entry keeps when the prompt is short (0 = always avoided, 1 = ignored). */
  repeatRate: number;
  /** Prompt length (tokens) at which the model has lost half of its remaining ability to avoid previous entries. */
  avoidHalfLifeTokens: number;
  /** Share of output lines that are off-topic or vague. */
  junkRate: number;
  /**
   * Share of item slots filled with invented names once everything the model knows in the asked
   * scope is already listed (rate · exhaustion², src/lib/sim/invent.ts).
   */
  inventRate: number;
  /** Output speed once streaming. */
  tokensPerSecond: number;
  /** Time to first token for an empty prompt. */
  ttftMs: number;
  /** Extra time to first token per 1,000 prompt tokens (prefill). */
  prefillMsPer1kTokens: number;
  /** Prompt + max_tokens above this is rejected with the provider's context error (default: the registry's). */
  contextWindow: number;
  /** Cap on output tokens; also the default max_tokens on the OpenAI wire. */
  maxOutputTokens: number;
  /** Requests per minute per API key (0 = unlimited). */
  rpm: number;
  /** Tokens per minute per API key, prompt + expected output (0 = unlimited). */
  tpm: number;
  /** How the model shows its reasoning before the answer (src/lib/sim/reasoning.ts). */
  reasoning: ReasoningMode;
}

/** Behaviour per simulated model; the context window is the registry's. */
const SIM_BEHAVIOUR: Readonly<Record<SimModelId, Omit<SimModelProfile, "contextWindow">>> = {
  "sim-strong": {
    breadth: 0.9,
    repeatRate: 0.03,
    avoidHalfLifeTokens: 24_000,
    junkRate: 0.02,
    inventRate: 0.1,
    tokensPerSecond: 90,
    ttftMs: 450,
    prefillMsPer1kTokens: 15,
    maxOutputTokens: 16_384,
    rpm: 500,
    tpm: 400_000,
    reasoning: "none",
  },
  "sim-weak": {
    breadth: 0.35,
    repeatRate: 0.2,
    avoidHalfLifeTokens: 4_000,
    junkRate: 0.12,
    inventRate: 0.25,
    tokensPerSecond: 220,
    ttftMs: 150,
    prefillMsPer1kTokens: 5,
    maxOutputTokens: 4_096,
    rpm: 1_000,
    tpm: 1_000_000,
    reasoning: "none",
  },
  "sim-claude": {
    breadth: 0.75,
    repeatRate: 0.05,
    avoidHalfLifeTokens: 32_000,
    junkRate: 0.03,
    inventRate: 0.06,
    tokensPerSecond: 70,
    ttftMs: 600,
    prefillMsPer1kTokens: 20,
    maxOutputTokens: 8_192,
    rpm: 300,
    tpm: 300_000,
    reasoning: "none",
  },
  // DeepSeek-R1 / Qwen3 as Ollama or vLLM serve them: a <think> block, then the list.
  "sim-reasoner": {
    breadth: 0.8,
    repeatRate: 0.03,
    avoidHalfLifeTokens: 32_000,
    junkRate: 0.02,
    inventRate: 0.08,
    tokensPerSecond: 60,
    ttftMs: 500,
    prefillMsPer1kTokens: 15,
    maxOutputTokens: 32_768,
    rpm: 500,
    tpm: 400_000,
    reasoning: "think",
  },
};

export const SIM_MODEL_PROFILES: Readonly<Record<SimModelId, SimModelProfile>> = Object.fromEntries(
  SIM_MODEL_IDS.map((id) => [id, { ...SIM_BEHAVIOUR[id], contextWindow: PROVIDERS.sim.models[id].contextWindow }]),
) as Record<SimModelId, SimModelProfile>;

/** Prices of the simulated models (the registry's). */
export const SIM_MODEL_PRICES: Readonly<Record<SimModelId, ModelPrice>> = Object.fromEntries(
  SIM_MODEL_IDS.map((id) => [id, PROVIDERS.sim.models[id].price]),
) as Record<SimModelId, ModelPrice>;

/** Cost in USD of one call to a simulated model. */
export function simCallCostUsd(model: SimModelId, inputTokens: number, outputTokens: number): number {
  const p = SIM_MODEL_PRICES[model];
  return (inputTokens * p.inputUsdPerMTok + outputTokens * p.outputUsdPerMTok) / 1_000_000;
}
