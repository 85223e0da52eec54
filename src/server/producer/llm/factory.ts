import { targetLabel, wireFormatOf, type ProviderId } from "../../../lib/providers";
import { createAnthropicClient } from "./anthropic";
import { createOpenAiClient } from "./openai";
import type { LlmClient } from "./types";

export interface LlmConfig {
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  simulatorUrl?: string;
  callTimeoutMs: number;
  /** Extra headers on every request (tests: `x-sim-params`). */
  defaultHeaders?: Record<string, string>;
  now?: () => number;
}

/** Either a client, or why this producer cannot call the target (shown as its status). */
export type LlmResolution = { client: LlmClient } | { unavailable: string };

/** Stands in for a key that a local OpenAI-compatible server or the simulator does not check. */
const UNCHECKED_KEY = "unused";

/**
 * Chooses the SDK and endpoint for `provider:model`:
 * - `openai`: the OpenAI SDK, OPENAI_BASE_URL if set (vLLM, Ollama...: a key is then optional);
 * - `anthropic`: the Anthropic SDK, ANTHROPIC_BASE_URL if set;
 * - `sim`: the SDK of the simulated model's wire format, at IGENTAI_SIMULATOR_URL.
 */
export function resolveLlm(target: { provider: ProviderId; model: string }, cfg: LlmConfig): LlmResolution {
  const common = { model: target.model, timeoutMs: cfg.callTimeoutMs, defaultHeaders: cfg.defaultHeaders, now: cfg.now };
  const label = targetLabel(target);
  switch (target.provider) {
    case "openai": {
      if (!cfg.openaiApiKey && !cfg.openaiBaseUrl) {
        return { unavailable: `no OPENAI_API_KEY set: ${label} cannot run (set it, or OPENAI_BASE_URL for a local OpenAI-compatible server)` };
      }
      return {
        client: createOpenAiClient({
          ...common,
          provider: "openai",
          apiKey: cfg.openaiApiKey ?? UNCHECKED_KEY,
          baseURL: cfg.openaiBaseUrl,
          tokenLimitParam: cfg.openaiBaseUrl ? "max_tokens" : "max_completion_tokens",
        }),
      };
    }
    case "anthropic": {
      if (!cfg.anthropicApiKey && !cfg.anthropicBaseUrl) {
        return { unavailable: `no ANTHROPIC_API_KEY set: ${label} cannot run` };
      }
      return {
        client: createAnthropicClient({
          ...common,
          provider: "anthropic",
          apiKey: cfg.anthropicApiKey ?? UNCHECKED_KEY,
          baseURL: cfg.anthropicBaseUrl,
        }),
      };
    }
    case "sim": {
      if (!cfg.simulatorUrl) return { unavailable: `no IGENTAI_SIMULATOR_URL set: ${label} cannot run` };
      const base = cfg.simulatorUrl.replace(/\/+$/, "");
      return wireFormatOf(target) === "anthropic"
        ? { client: createAnthropicClient({ ...common, provider: "sim", apiKey: UNCHECKED_KEY, baseURL: base }) }
        : {
            client: createOpenAiClient({
              ...common,
              provider: "sim",
              apiKey: UNCHECKED_KEY,
              baseURL: `${base}/v1`,
              tokenLimitParam: "max_tokens",
            }),
          };
    }
  }
}

/** Memoises clients per provider:model (an SDK client keeps its connection pool). */
export function createLlmResolver(cfg: LlmConfig): (target: { provider: ProviderId; model: string }) => LlmResolution {
  const cache = new Map<string, LlmResolution>();
  return (target) => {
    const key = targetLabel(target);
    let r = cache.get(key);
    if (!r) {
      r = resolveLlm(target, cfg);
      cache.set(key, r);
    }
    return r;
  };
}
