import { z } from "zod";
import { MODEL_CATALOGUE, PROVIDERS, REAL_PROVIDER_IDS, type CatalogueModel, type ProviderId, type RealProviderId } from "./providers";

/**
 * The providers' settings in the environment (each preset's `<ID>_API_KEY` and `<ID>_BASE_URL`,
 * named by the registry in ./providers.ts), and which providers they make available.
 */

/** A real provider's settings from the environment: its key and endpoint override, when set. */
export type ProviderSetting = { apiKey?: string; baseUrl?: string };
export type ProviderSettings = Partial<Record<RealProviderId, ProviderSetting>>;

/** Every provider variable (`<ID>_API_KEY`, `<ID>_BASE_URL`), for the environment schemas and the producers' environment. */
export const PROVIDER_ENV_NAMES: readonly string[] = REAL_PROVIDER_IDS.flatMap((id) => [PROVIDERS[id].keyEnv, PROVIDERS[id].baseUrlEnv]);

const blankIsUnset = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const baseUrl = blankIsUnset.pipe(z.url({ protocol: /^https?$/, message: "must be an http(s):// URL" }).optional());

/** The zod shape of the provider variables: keys as optional strings, base URLs as http(s) URLs. */
export function providerEnvShape(): Record<string, typeof blankIsUnset | typeof baseUrl> {
  return Object.fromEntries(
    REAL_PROVIDER_IDS.flatMap((id) => [
      [PROVIDERS[id].keyEnv, blankIsUnset],
      [PROVIDERS[id].baseUrlEnv, baseUrl],
    ]),
  );
}

/** The settings of an already validated environment (blank values are unset). */
export function providerSettingsOf(env: Readonly<Record<string, string | undefined>>): ProviderSettings {
  const out: ProviderSettings = {};
  for (const id of REAL_PROVIDER_IDS) {
    const apiKey = env[PROVIDERS[id].keyEnv]?.trim() || undefined;
    const url = env[PROVIDERS[id].baseUrlEnv]?.trim() || undefined;
    if (apiKey || url) out[id] = { ...(apiKey ? { apiKey } : {}), ...(url ? { baseUrl: url } : {}) };
  }
  return out;
}

/** The provider variables of `settings`, as a producer's environment gets them. */
export function providerEnvOf(settings: ProviderSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of REAL_PROVIDER_IDS) {
    const s = settings[id];
    if (s?.apiKey) out[PROVIDERS[id].keyEnv] = s.apiKey;
    if (s?.baseUrl) out[PROVIDERS[id].baseUrlEnv] = s.baseUrl;
  }
  return out;
}

/** The API keys in `settings`: values never to be logged or reported. */
export function apiKeysOf(settings: ProviderSettings): string[] {
  return REAL_PROVIDER_IDS.flatMap((id) => (settings[id]?.apiKey ? [settings[id].apiKey] : []));
}

// ---- availability ------------------------------------------------------------------

/** Which providers this server can call. */
export type ProviderKeys = Partial<Record<RealProviderId, boolean>>;

/**
 * A provider is available with its key, or with its base URL alone (a local server, or a
 * compatible endpoint that needs no key); the simulator always.
 */
export function providerKeysOf(settings: ProviderSettings): ProviderKeys {
  return Object.fromEntries(REAL_PROVIDER_IDS.map((id) => [id, Boolean(settings[id]?.apiKey || settings[id]?.baseUrl)]));
}

export function isProviderAvailable(provider: ProviderId, keys: ProviderKeys): boolean {
  return provider === "sim" || keys[provider] === true;
}

/** What the server's environment lacks for `provider`, as a sentence. */
export function missingProviderSetting(provider: RealProviderId): string {
  const spec = PROVIDERS[provider];
  return spec.local
    ? `provider ${provider} needs ${spec.baseUrlEnv} (e.g. ${spec.defaultBaseUrl}) in the server's environment`
    : `provider ${provider} needs ${spec.keyEnv} in the server's environment`;
}

/** The catalogue with each model marked available when its provider can be called. */
export function availableModels(keys: ProviderKeys): Array<CatalogueModel & { available: boolean }> {
  return MODEL_CATALOGUE.map((m) => ({ ...m, available: isProviderAvailable(m.provider, keys) }));
}

/** The real providers that can be called, in registry order. */
export function availableRealProviders(keys: ProviderKeys): RealProviderId[] {
  return REAL_PROVIDER_IDS.filter((id) => keys[id] === true);
}
