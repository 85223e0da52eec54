import { z } from "zod";

/**
 * Providers a producer can call. `sim` is the local simulator: it is reached through the
 * real SDKs (each simulated model speaks either the OpenAI or the Anthropic wire format).
 */
export const PROVIDER_IDS = ["openai", "anthropic", "sim"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export type WireFormat = "openai" | "anthropic";

/** Simulated models: id -> wire format. Their behaviour lives in src/lib/sim/. */
export const SIM_MODEL_WIRE: Record<string, WireFormat> = {
  "sim-strong": "openai",
  "sim-weak": "openai",
  "sim-claude": "anthropic",
  "sim-reasoner": "openai",
};

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

export function wireFormatOf(t: { provider: ProviderId; model: string }): WireFormat {
  if (t.provider === "sim") return SIM_MODEL_WIRE[t.model] ?? "openai";
  return t.provider;
}

export type CatalogueModel = { provider: ProviderId; model: string; label: string; simulated: boolean };

/** The models the form offers (any other model name can still be typed or given to the CLI). */
export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  { provider: "openai", model: "gpt-4o-mini", label: "OpenAI gpt-4o-mini", simulated: false },
  { provider: "openai", model: "gpt-4.1-mini", label: "OpenAI gpt-4.1-mini", simulated: false },
  { provider: "anthropic", model: "claude-3-5-haiku-latest", label: "Anthropic Claude 3.5 Haiku", simulated: false },
  { provider: "anthropic", model: "claude-sonnet-4-5", label: "Anthropic Claude Sonnet 4.5", simulated: false },
  ...Object.keys(SIM_MODEL_WIRE).map((model) => ({ provider: "sim" as const, model, label: `Simulator ${model} (simulated)`, simulated: true })),
];

/** Which providers this server can call: a key (or a base URL, for local OpenAI-compatible servers) per real provider. */
export type ProviderKeys = { openai: boolean; anthropic: boolean };

export function isProviderAvailable(provider: ProviderId, keys: ProviderKeys): boolean {
  return provider === "sim" || keys[provider];
}

/** The catalogue with each model marked available when its provider can be called. */
export function availableModels(keys: ProviderKeys): Array<CatalogueModel & { available: boolean }> {
  return MODEL_CATALOGUE.map((m) => ({ ...m, available: isProviderAvailable(m.provider, keys) }));
}
