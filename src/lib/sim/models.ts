import { SIM_MODEL_WIRE, type WireFormat } from "../providers";
import type { ReasoningMode } from "./reasoning";

/** The simulated models. Must match the keys of SIM_MODEL_WIRE in ../providers. */
export const SIM_MODEL_IDS = ["sim-strong", "sim-weak", "sim-claude", "sim-reasoner"] as const;
export type SimModelId = (typeof SIM_MODEL_IDS)[number];

export function isSimModelId(model: string): model is SimModelId {
  return (SIM_MODEL_IDS as readonly string[]).includes(model);
}

export function simModelWire(model: SimModelId): WireFormat {
  return SIM_MODEL_WIRE[model] ?? "openai";
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
  /** Output speed once streaming. */
  tokensPerSecond: number;
  /** Time to first token for an empty prompt. */
  ttftMs: number;
  /** Extra time to first token per 1,000 prompt tokens (prefill). */
  prefillMsPer1kTokens: number;
  /** Prompt + max_tokens above this is rejected with the provider's context error. */
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

export const SIM_MODEL_PROFILES: Readonly<Record<SimModelId, SimModelProfile>> = {
  "sim-strong": {
    breadth: 0.9,
    repeatRate: 0.03,
    avoidHalfLifeTokens: 24_000,
    junkRate: 0.02,
    tokensPerSecond: 90,
    ttftMs: 450,
    prefillMsPer1kTokens: 15,
    contextWindow: 128_000,
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
    tokensPerSecond: 220,
    ttftMs: 150,
    prefillMsPer1kTokens: 5,
    contextWindow: 16_384,
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
    tokensPerSecond: 70,
    ttftMs: 600,
    prefillMsPer1kTokens: 20,
    contextWindow: 200_000,
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
    tokensPerSecond: 60,
    ttftMs: 500,
    prefillMsPer1kTokens: 15,
    contextWindow: 128_000,
    maxOutputTokens: 32_768,
    rpm: 500,
    tpm: 400_000,
    reasoning: "think",
  },
};

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  inputUsdPerMTok: number;
  /** USD per million output (completion) tokens. */
  outputUsdPerMTok: number;
}

/** Prices of the simulated models, in line with real models of similar quality and speed. */
export const SIM_MODEL_PRICES: Readonly<Record<SimModelId, ModelPrice>> = {
  "sim-strong": { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6 },
  "sim-weak": { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4 },
  "sim-claude": { inputUsdPerMTok: 1.0, outputUsdPerMTok: 5.0 },
  "sim-reasoner": { inputUsdPerMTok: 0.55, outputUsdPerMTok: 2.19 },
};

/** Cost in USD of one call to a simulated model. */
export function simCallCostUsd(model: SimModelId, inputTokens: number, outputTokens: number): number {
  const p = SIM_MODEL_PRICES[model];
  return (inputTokens * p.inputUsdPerMTok + outputTokens * p.outputUsdPerMTok) / 1_000_000;
}
