import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseServerEnv } from "../env";
import { createPriceTable, DEFAULT_PRICES, parsePriceOverrides, priceOf } from "./pricing";
import { MODEL_CATALOGUE, PROVIDER_IDS, PROVIDERS, providerSpec, REAL_PROVIDER_IDS, wireFormatOf } from "./providers";
import { availableModels, missingProviderSetting, PROVIDER_ENV_NAMES, providerEnvOf, providerKeysOf, providerSettingsOf } from "./provider-settings";
import { defaultProviders, resolveJudge, startInputSchema, unpricedTargetIssue } from "./run-config";

describe("the provider registry", () => {
  it("has every preset, each with <ID>_API_KEY and <ID>_BASE_URL", () => {
    expect(PROVIDER_IDS).toEqual([
      "openai",
      "anthropic",
      "gemini",
      "openrouter",
      "groq",
      "mistral",
      "deepseek",
      "together",
      "ollama",
      "vllm",
      "lmstudio",
      "sim",
    ]);
    for (const id of REAL_PROVIDER_IDS) {
      const spec = providerSpec(id);
      expect(spec.keyEnv).toBe(`${id.toUpperCase()}_API_KEY`);
      expect(spec.baseUrlEnv).toBe(`${id.toUpperCase()}_BASE_URL`);
      expect(new URL(spec.defaultBaseUrl ?? "").protocol).toMatch(/^https?:$/);
      expect(spec.local).toBe(["ollama", "vllm", "lmstudio"].includes(id));
    }
    expect(PROVIDER_ENV_NAMES).toHaveLength(2 * REAL_PROVIDER_IDS.length);
  });

  it.each(PROVIDER_IDS)("%s: the cheap and default models are its own, each with a context window; remote ones priced", (id) => {
    const spec = providerSpec(id);
    expect(Object.keys(spec.models)).toContain(spec.cheapModel);
    for (const m of spec.defaultModels ?? []) expect(Object.keys(spec.models)).toContain(m);
    for (const [model, m] of Object.entries(spec.models)) {
      expect(m.contextWindow).toBeGreaterThan(1000);
      expect(startInputSchema.safeParse({ topic: "birds", providers: [{ provider: id, model }] }).success).toBe(true);
      // A remote model without a price of its own inherits one (an alias) or is refused at start.
      if (!spec.local) expect(priceOf(createPriceTable(), id, model), `${id}:${model}`).not.toBeNull();
    }
  });

  it("derives the price table, the form's catalogue and the wires", () => {
    expect(DEFAULT_PRICES["gemini:gemini-2.5-flash"]).toEqual(PROVIDERS.gemini.models["gemini-2.5-flash"].price);
    expect(DEFAULT_PRICES["sim:sim-reasoner"]).toEqual(PROVIDERS.sim.models["sim-reasoner"].price);
    expect(MODEL_CATALOGUE.filter((m) => m.provider === "groq").map((m) => m.model)).toEqual(Object.keys(PROVIDERS.groq.models));
    expect(MODEL_CATALOGUE.some((m) => m.model === "gpt-4o")).toBe(false); // priced, not offered
    expect(wireFormatOf({ provider: "anthropic", model: "any" })).toBe("anthropic");
    expect(wireFormatOf({ provider: "openrouter", model: "anthropic/claude-3.5-haiku" })).toBe("openai");
    expect(wireFormatOf({ provider: "sim", model: "sim-claude" })).toBe("anthropic");
  });

  it("prices IGENTAI_PRICES keys of every provider; local servers cost nothing, unknown remote models are unpriced", () => {
    const table = createPriceTable(parsePriceOverrides('{"mistral:open-mixtral-8x22b": [2, 6]}'));
    expect(priceOf(table, "mistral", "open-mixtral-8x22b")).toEqual({ inputUsdPerMTok: 2, outputUsdPerMTok: 6 });
    expect(() => parsePriceOverrides('{"acme:model": [1, 1]}')).toThrow(/provider:model/);
    expect(priceOf(table, "ollama", "anything-pulled")).toEqual({ inputUsdPerMTok: 0, outputUsdPerMTok: 0 });
    expect(priceOf(table, "openrouter", "x-ai/grok-4")).toBeNull();
    const price = (p: string, m: string) => priceOf(table, p, m);
    expect(unpricedTargetIssue([{ provider: "openrouter", model: "x-ai/grok-4" }], price)).toMatch(/no price is known for openrouter:x-ai\/grok-4/);
    expect(unpricedTargetIssue([{ provider: "openrouter", model: "x-ai/grok-4", allowUnpriced: true }], price)).toBeNull();
    expect(unpricedTargetIssue([{ provider: "vllm", model: "my/finetune" }], price)).toBeNull();
  });
});

describe("provider settings from the environment", () => {
  const base = { HOSTNAME: "127.0.0.1", NODE_ENV: "test" } as const;

  it("reads each preset's key and base URL; blank is unset", () => {
    const env = parseServerEnv({ ...base, OPENROUTER_API_KEY: "or-key", OLLAMA_BASE_URL: "http://127.0.0.1:11434/v1", GROQ_API_KEY: " " });
    expect(env.providers).toEqual({ openrouter: { apiKey: "or-key" }, ollama: { baseUrl: "http://127.0.0.1:11434/v1" } });
    expect(providerEnvOf(env.providers)).toEqual({ OPENROUTER_API_KEY: "or-key", OLLAMA_BASE_URL: "http://127.0.0.1:11434/v1" });
    expect(providerSettingsOf(providerEnvOf(env.providers))).toEqual(env.providers);
  });

  it("names a bad base URL", () => {
    expect(() => parseServerEnv({ ...base, GEMINI_BASE_URL: "generativelanguage.googleapis.com" })).toThrow(/GEMINI_BASE_URL/);
  });

  it("offers a preset when its key, or for a local one its base URL, is set", () => {
    const keys = providerKeysOf({ openrouter: { apiKey: "k" }, ollama: { baseUrl: "http://127.0.0.1:11434/v1" } });
    const offered = new Set(availableModels(keys).flatMap((m) => (m.available ? [m.provider] : [])));
    expect([...offered].sort()).toEqual(["ollama", "openrouter", "sim"]);
    expect(missingProviderSetting("vllm")).toMatch(/VLLM_BASE_URL/);
    expect(missingProviderSetting("deepseek")).toMatch(/DEEPSEEK_API_KEY/);
  });

  it("defaults to each available provider's cheap model, and judges with the first", () => {
    const keys = providerKeysOf({ groq: { apiKey: "k" }, ollama: { baseUrl: "http://127.0.0.1:11434/v1" } });
    expect(defaultProviders(keys)).toEqual([
      { provider: "groq", model: PROVIDERS.groq.cheapModel, weight: 1 },
      { provider: "ollama", model: PROVIDERS.ollama.cheapModel, weight: 1 },
    ]);
    expect(resolveJudge(undefined, keys)).toEqual({ enabled: true, provider: "groq", model: PROVIDERS.groq.cheapModel });
    expect(defaultProviders({}).map((t) => t.model)).toEqual(PROVIDERS.sim.defaultModels);
  });
});

describe("the documentation", () => {
  it("README and .env.example list every preset's variables", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const id of REAL_PROVIDER_IDS) {
      const spec = providerSpec(id);
      expect(readme).toContain(`| \`${id}\` | \`${spec.keyEnv}\``);
      expect(readme).toContain(`\`${spec.baseUrlEnv}\` (${spec.defaultBaseUrl})`);
      expect(example).toContain(spec.local ? `${spec.baseUrlEnv}=${spec.defaultBaseUrl}` : `${spec.keyEnv}=`);
    }
  });
});

describe("one place for provider names", () => {
  it("no source file outside the registry writes a model id or a provider variable (the simulator's behaviour table aside)", () => {
    const names = PROVIDER_IDS.flatMap((id) => {
      const spec = providerSpec(id);
      return [...Object.keys(spec.models), ...(spec.keyEnv ? [spec.keyEnv] : []), ...(spec.baseUrlEnv ? [spec.baseUrlEnv] : [])];
    });
    const args = ["grep", "-l", "-F", ...names.flatMap((n) => ["-e", n]), "--", "src", "scripts", ":!*.test.ts", ":!*.test.tsx", ":!*.md"];
    const r = spawnSync("git", args, { cwd: new URL("../..", import.meta.url), encoding: "utf8" });
    const files = r.stdout.split("\n").filter((f) => f !== "");
    expect(files.sort()).toEqual(["src/lib/providers.ts", "src/lib/sim/models.ts"]);
  });
});
