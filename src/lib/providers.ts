import { z } from "zod";

/**
 * The provider registry: every provider igentai can call, with its wire format, its
 * environment variables, its endpoint and its models (prices, context windows). The form's
 * options, the price table, validation, environment parsing, the SDK clients and the
 * simulator's models all derive from `PROVIDERS`; no provider or model name is written
 * anywhere else (tests aside).
 */

export type WireFormat = "openai" | "anthropic";

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  inputUsdPerMTok: number;
  /** USD per million output (completion) tokens. */
  outputUsdPerMTok: number;
}

export interface ModelSpec {
  /** Tokens of prompt plus answer the model accepts. */
  contextWindow: number;
  /** List price (standard tier, no caching or batch discounts) at the time of writing. */
  price?: ModelPrice;
  /** Offered by the form (default true); other models are priced only, and can still be typed. */
  offered?: boolean;
  /** The form's label; default "<provider label> <model>". */
  label?: string;
  /** Simulated models: the wire format the model speaks. */
  wire?: WireFormat;
}

export interface ProviderSpec {
  label: string;
  /** `sim`: the local simulator, each model on its own wire (ModelSpec.wire). */
  wire: WireFormat | "sim";
  /** The API key's variable; null for the simulator. */
  keyEnv: string | null;
  /** The variable that overrides the endpoint; null for the simulator. */
  baseUrlEnv: string | null;
  /** The endpoint without the override (the SDK's base URL). */
  defaultBaseUrl: string | null;
  /** A server on the user's machine: no key needed, offered once its base URL is set; its calls cost nothing. */
  local: boolean;
  /**
   * OpenAI's own API wants `max_completion_tokens` (its reasoning models reject `max_tokens`);
   * OpenAI-compatible servers know `max_tokens`. Default `max_tokens`.
   */
  tokenLimitParam?: "max_tokens" | "max_completion_tokens";
  /**
   * Whether the endpoint accepts `stream_options: { include_usage: true }` (default true).
   * Mistral's rejects it with a 422 ("extra_forbidden") and sends usage in its last chunk anyway.
   */
  streamOptions?: boolean;
  models: Record<string, ModelSpec>;
  /** The cheap model: the dedup judge's and the tree's breakdown default, and the default producer model. */
  cheapModel: string;
  /** Models a run uses when the user names none (default: the cheap model). */
  defaultModels?: readonly string[];
  /** Where the endpoint and models are documented. */
  docs: string;
}

const usd = (inputUsdPerMTok: number, outputUsdPerMTok: number): ModelPrice => ({ inputUsdPerMTok, outputUsdPerMTok });

export const PROVIDERS = {
  openai: {
    label: "OpenAI",
    wire: "openai",
    keyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    defaultBaseUrl: "https://api.openai.com/v1",
    local: false,
    tokenLimitParam: "max_completion_tokens",
    models: {
      "gpt-4o-mini": { contextWindow: 128_000, price: usd(0.15, 0.6) },
      "gpt-4.1-mini": { contextWindow: 1_047_576, price: usd(0.4, 1.6) },
      "gpt-4o": { contextWindow: 128_000, price: usd(2.5, 10), offered: false },
      "gpt-4.1": { contextWindow: 1_047_576, price: usd(2, 8), offered: false },
      "gpt-4.1-nano": { contextWindow: 1_047_576, price: usd(0.1, 0.4), offered: false },
      "gpt-5": { contextWindow: 400_000, price: usd(1.25, 10), offered: false },
      "gpt-5-mini": { contextWindow: 400_000, price: usd(0.25, 2), offered: false },
      "gpt-5-nano": { contextWindow: 400_000, price: usd(0.05, 0.4), offered: false },
      "o4-mini": { contextWindow: 200_000, price: usd(1.1, 4.4), offered: false },
    },
    cheapModel: "gpt-4o-mini",
    docs: "https://platform.openai.com/docs/pricing",
  },
  anthropic: {
    label: "Anthropic",
    wire: "anthropic",
    keyEnv: "ANTHROPIC_API_KEY",
    baseUrlEnv: "ANTHROPIC_BASE_URL",
    defaultBaseUrl: "https://api.anthropic.com",
    local: false,
    models: {
      // An alias: its price is claude-3-5-haiku's (pricing.ts: aliases and dated snapshots inherit).
      "claude-3-5-haiku-latest": { contextWindow: 200_000, label: "Anthropic Claude 3.5 Haiku" },
      "claude-sonnet-4-5": { contextWindow: 200_000, price: usd(3, 15), label: "Anthropic Claude Sonnet 4.5" },
      "claude-3-5-haiku": { contextWindow: 200_000, price: usd(0.8, 4), offered: false },
      "claude-3-5-sonnet": { contextWindow: 200_000, price: usd(3, 15), offered: false },
      "claude-3-7-sonnet": { contextWindow: 200_000, price: usd(3, 15), offered: false },
      "claude-haiku-4-5": { contextWindow: 200_000, price: usd(1, 5), offered: false },
      "claude-sonnet-4": { contextWindow: 200_000, price: usd(3, 15), offered: false },
      "claude-opus-4": { contextWindow: 200_000, price: usd(15, 75), offered: false },
      "claude-opus-4-1": { contextWindow: 200_000, price: usd(15, 75), offered: false },
    },
    cheapModel: "claude-3-5-haiku-latest",
    docs: "https://docs.anthropic.com/en/docs/about-claude/pricing",
  },
  gemini: {
    label: "Google Gemini",
    wire: "openai",
    keyEnv: "GEMINI_API_KEY",
    baseUrlEnv: "GEMINI_BASE_URL",
    // Gemini's OpenAI-compatible endpoint (ai.google.dev/gemini-api/docs/openai).
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta/openai/",
    local: false,
    models: {
      "gemini-2.5-flash-lite": { contextWindow: 1_048_576, price: usd(0.1, 0.4) },
      "gemini-2.5-flash": { contextWindow: 1_048_576, price: usd(0.3, 2.5) },
      "gemini-2.5-pro": { contextWindow: 1_048_576, price: usd(1.25, 10) },
    },
    cheapModel: "gemini-2.5-flash-lite",
    docs: "https://ai.google.dev/gemini-api/docs/pricing",
  },
  openrouter: {
    label: "OpenRouter",
    wire: "openai",
    keyEnv: "OPENROUTER_API_KEY",
    baseUrlEnv: "OPENROUTER_BASE_URL",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    local: false,
    // OpenRouter passes the upstream provider's price through.
    models: {
      "openai/gpt-4o-mini": { contextWindow: 128_000, price: usd(0.15, 0.6) },
      "anthropic/claude-3.5-haiku": { contextWindow: 200_000, price: usd(0.8, 4) },
      "google/gemini-2.5-flash": { contextWindow: 1_048_576, price: usd(0.3, 2.5) },
    },
    cheapModel: "openai/gpt-4o-mini",
    docs: "https://openrouter.ai/docs/quickstart",
  },
  groq: {
    label: "Groq",
    wire: "openai",
    keyEnv: "GROQ_API_KEY",
    baseUrlEnv: "GROQ_BASE_URL",
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    local: false,
    models: {
      "llama-3.1-8b-instant": { contextWindow: 131_072, price: usd(0.05, 0.08) },
      "llama-3.3-70b-versatile": { contextWindow: 131_072, price: usd(0.59, 0.79) },
    },
    cheapModel: "llama-3.1-8b-instant",
    docs: "https://console.groq.com/docs/openai",
  },
  mistral: {
    label: "Mistral",
    wire: "openai",
    keyEnv: "MISTRAL_API_KEY",
    baseUrlEnv: "MISTRAL_BASE_URL",
    defaultBaseUrl: "https://api.mistral.ai/v1",
    local: false,
    streamOptions: false,
    models: {
      "mistral-small-latest": { contextWindow: 131_072, price: usd(0.1, 0.3) },
      "mistral-large-latest": { contextWindow: 131_072, price: usd(2, 6) },
    },
    cheapModel: "mistral-small-latest",
    docs: "https://docs.mistral.ai/api/",
  },
  deepseek: {
    label: "DeepSeek",
    wire: "openai",
    keyEnv: "DEEPSEEK_API_KEY",
    baseUrlEnv: "DEEPSEEK_BASE_URL",
    defaultBaseUrl: "https://api.deepseek.com",
    local: false,
    models: {
      "deepseek-chat": { contextWindow: 65_536, price: usd(0.27, 1.1) },
      // Streams its thinking in `reasoning_content` (api-docs.deepseek.com/guides/reasoning_model).
      "deepseek-reasoner": { contextWindow: 65_536, price: usd(0.55, 2.19) },
    },
    cheapModel: "deepseek-chat",
    docs: "https://api-docs.deepseek.com/quick_start/pricing",
  },
  together: {
    label: "Together AI",
    wire: "openai",
    keyEnv: "TOGETHER_API_KEY",
    baseUrlEnv: "TOGETHER_BASE_URL",
    defaultBaseUrl: "https://api.together.xyz/v1",
    local: false,
    models: {
      "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo": { contextWindow: 131_072, price: usd(0.18, 0.18) },
      "meta-llama/Llama-3.3-70B-Instruct-Turbo": { contextWindow: 131_072, price: usd(0.88, 0.88) },
      "deepseek-ai/DeepSeek-R1": { contextWindow: 163_840, price: usd(3, 7) },
    },
    cheapModel: "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
    docs: "https://docs.together.ai/docs/openai-api-compatibility",
  },
  ollama: {
    label: "Ollama (local)",
    wire: "openai",
    keyEnv: "OLLAMA_API_KEY",
    baseUrlEnv: "OLLAMA_BASE_URL",
    // Ollama's OpenAI-compatible endpoint (docs.ollama.com/api/openai-compatibility).
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    local: true,
    models: {
      "llama3.2": { contextWindow: 131_072 },
      qwen3: { contextWindow: 40_960 },
      // Writes <think>…</think> before its answer (src/lib/reasoning.ts).
      "deepseek-r1": { contextWindow: 131_072 },
    },
    cheapModel: "llama3.2",
    docs: "https://docs.ollama.com/api/openai-compatibility",
  },
  vllm: {
    label: "vLLM (local)",
    wire: "openai",
    keyEnv: "VLLM_API_KEY",
    baseUrlEnv: "VLLM_BASE_URL",
    defaultBaseUrl: "http://127.0.0.1:8000/v1",
    local: true,
    // vLLM serves the model it was started with: type its name in the form.
    models: { "Qwen/Qwen3-8B": { contextWindow: 32_768 } },
    cheapModel: "Qwen/Qwen3-8B",
    docs: "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
  },
  lmstudio: {
    label: "LM Studio (local)",
    wire: "openai",
    keyEnv: "LMSTUDIO_API_KEY",
    baseUrlEnv: "LMSTUDIO_BASE_URL",
    defaultBaseUrl: "http://127.0.0.1:1234/v1",
    local: true,
    models: { "qwen/qwen3-8b": { contextWindow: 32_768 } },
    cheapModel: "qwen/qwen3-8b",
    docs: "https://lmstudio.ai/docs/app/api/endpoints/openai",
  },
  sim: {
    label: "Simulator",
    wire: "sim",
    keyEnv: null,
    baseUrlEnv: null,
    defaultBaseUrl: null,
    local: true,
    // Prices in line with real models of similar quality and speed; behaviour in src/lib/sim/models.ts.
    models: {
      "sim-strong": { wire: "openai", contextWindow: 128_000, price: usd(0.4, 1.6) },
      "sim-weak": { wire: "openai", contextWindow: 16_384, price: usd(0.1, 0.4) },
      "sim-claude": { wire: "anthropic", contextWindow: 200_000, price: usd(1, 5) },
      // DeepSeek-R1's price: a <think> block before each answer (src/lib/sim/reasoning.ts).
      "sim-reasoner": { wire: "openai", contextWindow: 128_000, price: usd(0.55, 2.19) },
    },
    cheapModel: "sim-strong",
    defaultModels: ["sim-strong", "sim-weak", "sim-claude"],
    docs: "src/server/simulator/README.md",
  },
} satisfies Record<string, ProviderSpec>;

export type ProviderId = keyof typeof PROVIDERS;
export const PROVIDER_IDS = Object.keys(PROVIDERS) as [ProviderId, ...ProviderId[]];
/** The providers reached over the network (every one but the simulator). */
export type RealProviderId = Exclude<ProviderId, "sim">;
export const REAL_PROVIDER_IDS = PROVIDER_IDS.filter((p): p is RealProviderId => p !== "sim");

export function isProviderId(id: string): id is ProviderId {
  return Object.hasOwn(PROVIDERS, id);
}

export function providerSpec(id: ProviderId): ProviderSpec {
  return PROVIDERS[id];
}

export const MODEL_NAME = z
  .string()
  .trim()
  .min(1, "model is required")
  .max(100, "model name is at most 100 characters")
  .regex(/^[A-Za-z0-9._:/@-]+$/, "model name may contain letters, digits and . _ : / @ -")
  // `/` is allowed for names like `meta-llama/Llama-3-70b`, but never as a path (`../../etc/passwd`).
  .refine(
    (m) => !m.startsWith("/") && !m.split("/").some((seg) => seg === "" || seg === "." || seg === ".."),
    "model name must not be a path (no leading /, no . or .. segments)",
  );

export const providerTargetSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  model: MODEL_NAME,
  weight: z.number().min(0).max(1000).optional(),
});
export type ProviderTarget = z.infer<typeof providerTargetSchema>;

/** "openai:gpt-4o-mini" -> { provider, model }. Throws a readable Error on bad input. */
export function parseProviderSpec(spec: string): ProviderTarget {
  const i = spec.indexOf(":");
  if (i <= 0) throw new Error(`"${spec}" is not provider:model (e.g. openai:gpt-4o-mini, sim:sim-strong)`);
  const parsed = providerTargetSchema.safeParse({ provider: spec.slice(0, i), model: spec.slice(i + 1) });
  if (!parsed.success) throw new Error(`"${spec}": ${parsed.error.issues.map((x) => x.message).join("; ")}`);
  return parsed.data;
}

export function targetLabel(t: { provider: string; model: string }): string {
  return `${t.provider}:${t.model}`;
}

/** The simulated models, from the registry. */
export type SimModelId = keyof typeof PROVIDERS.sim.models;
export const SIM_MODEL_IDS = Object.keys(PROVIDERS.sim.models) as [SimModelId, ...SimModelId[]];

export function isSimModelId(model: string): model is SimModelId {
  return Object.hasOwn(PROVIDERS.sim.models, model);
}

/** The SDK a target is reached with: its provider's wire, or a simulated model's own. */
export function wireFormatOf(t: { provider: ProviderId; model: string }): WireFormat {
  const spec = PROVIDERS[t.provider];
  if (spec.wire !== "sim") return spec.wire;
  return isSimModelId(t.model) ? PROVIDERS.sim.models[t.model].wire : "openai";
}

/** Every price the registry knows, as `provider:model` -> price. */
export function registryPrices(): Record<string, ModelPrice> {
  const out: Record<string, ModelPrice> = {};
  for (const id of PROVIDER_IDS) {
    for (const [model, spec] of Object.entries(providerSpec(id).models)) if (spec.price) out[targetLabel({ provider: id, model })] = spec.price;
  }
  return out;
}

/** A model the form offers; `byDefault`: in the mix a run gets when the user names none (the provider's default models). */
export type CatalogueModel = { provider: ProviderId; model: string; label: string; simulated: boolean; byDefault: boolean };

/** The models the form offers (any other model name can still be typed or given to the CLI). */
export const MODEL_CATALOGUE: readonly CatalogueModel[] = PROVIDER_IDS.flatMap((provider) => {
  const spec = providerSpec(provider);
  return Object.entries(spec.models)
    .filter(([, m]) => m.offered !== false)
    .map(([model, m]) => ({
      provider,
      model,
      label: m.label ?? (provider === "sim" ? `Simulator ${model} (simulated)` : `${spec.label} ${model}`),
      simulated: provider === "sim",
      byDefault: (spec.defaultModels ?? [spec.cheapModel]).includes(model),
    }));
});
