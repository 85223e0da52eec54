import { providerSpec, targetLabel, wireFormatOf, type ProviderId } from "../../../lib/providers";
import type { ProviderSettings } from "../../../lib/provider-settings";
import { createAnthropicClient } from "./anthropic";
import { createOpenAiClient } from "./openai";
import type { LlmClient } from "./types";

export interface LlmConfig {
  /** Keys and endpoint overrides per provider (`<ID>_API_KEY`, `<ID>_BASE_URL`). */
  providers?: ProviderSettings;
  simulatorUrl?: string;
  callTimeoutMs: number;
  /** Extra headers on every request (tests: `x-sim-params`). */
  defaultHeaders?: Record<string, string>;
  now?: () => number;
}

/** Either a client, or why this producer cannot call the target (shown as its status). */
export type LlmResolution = { client: LlmClient } | { unavailable: string };

/** Stands in for a key that a local server or the simulator does not check. */
const UNCHECKED_KEY = "unused";

/**
 * Chooses the SDK and endpoint for `provider:model` from the registry (src/lib/providers.ts):
 * - a real provider: the SDK of its wire, at `<ID>_BASE_URL` if set, else its default URL;
 *   it needs `<ID>_API_KEY`, unless it is local or its base URL is overridden (a compatible
 *   server that checks no key);
 * - `sim`: the SDK of the simulated model's wire format, at IGENTAI_SIMULATOR_URL.
 */
export function resolveLlm(target: { provider: ProviderId; model: string }, cfg: LlmConfig): LlmResolution {
  const common = { model: target.model, timeoutMs: cfg.callTimeoutMs, defaultHeaders: cfg.defaultHeaders, now: cfg.now };
  const label = targetLabel(target);
  if (target.provider === "sim") {
    if (!cfg.simulatorUrl) return { unavailable: `no IGENTAI_SIMULATOR_URL set: ${label} cannot run` };
    const base = cfg.simulatorUrl.replace(/\/+$/, "");
    return wireFormatOf(target) === "anthropic"
      ? { client: createAnthropicClient({ ...common, provider: "sim", apiKey: UNCHECKED_KEY, baseURL: base }) }
      : { client: createOpenAiClient({ ...common, provider: "sim", apiKey: UNCHECKED_KEY, baseURL: `${base}/v1`, tokenLimitParam: "max_tokens" }) };
  }
  const spec = providerSpec(target.provider);
  const setting = cfg.providers?.[target.provider] ?? {};
  if (!setting.apiKey && !setting.baseUrl && !spec.local) {
    return { unavailable: `no ${spec.keyEnv} set: ${label} cannot run (set it, or ${spec.baseUrlEnv} for a compatible server that needs no key)` };
  }
  const baseURL = setting.baseUrl ?? spec.defaultBaseUrl ?? undefined;
  const client = { ...common, provider: target.provider, apiKey: setting.apiKey ?? UNCHECKED_KEY, baseURL };
  if (wireFormatOf(target) === "anthropic") return { client: createAnthropicClient(client) };
  // A base URL override is another server: it knows `max_tokens`, maybe not the provider's own parameter.
  const tokenLimitParam = setting.baseUrl ? "max_tokens" : (spec.tokenLimitParam ?? "max_tokens");
  return { client: createOpenAiClient({ ...client, tokenLimitParam, streamOptions: spec.streamOptions }) };
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
