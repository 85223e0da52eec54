import { z } from "zod";
import { apiKeysOf, providerEnvShape, providerSettingsOf, type ProviderSettings } from "../../lib/provider-settings";

/**
 * The producer process's environment, validated once in main.ts. API keys stay in this
 * object and in the SDK clients: they are never logged, reported or sent anywhere else.
 */
const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const httpUrl = (message: string) => z.url({ protocol: /^https?$/, message });
const optionalUrl = optional.pipe(httpUrl("must be an http(s):// URL").optional());

export const producerEnvSchema = z.object({
  IGENTAI_API_URL: httpUrl("must be the orchestrator's tRPC URL, e.g. http://127.0.0.1:8080/api/trpc"),
  IGENTAI_RUN_ID: z.string().trim().min(1, "is required").max(64),
  IGENTAI_PRODUCER: z
    .string()
    .trim()
    .min(1, "is required")
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, "may contain letters, digits, _ and -"),
  IGENTAI_RUN_SECRET: z.string().min(1, "is required"),
  IGENTAI_SIMULATOR_URL: optionalUrl,
  // Every provider's <ID>_API_KEY and <ID>_BASE_URL (src/lib/providers.ts).
  ...providerEnvShape(),
  IGENTAI_CALL_TIMEOUT_MS: z.coerce.number().int().min(1000, "must be at least 1000").max(600_000).default(60_000),
});

export type ProducerEnv = z.infer<typeof producerEnvSchema> & {
  /** Keys and endpoint overrides of the providers that have any. */
  providers: ProviderSettings;
};

export class ProducerEnvError extends Error {}

/** Validates the environment; the error names each bad variable, never its value. */
export function parseProducerEnv(source: Record<string, string | undefined>): ProducerEnv {
  const parsed = producerEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ProducerEnvError(`igentai producer: invalid environment:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, providers: providerSettingsOf(parsed.data as unknown as Record<string, string | undefined>) };
}

/** Values that must never appear in a log line or a message leaving the process. */
export function secretsOf(env: ProducerEnv): string[] {
  return [...apiKeysOf(env.providers), env.IGENTAI_RUN_SECRET].filter((s) => s.length >= 4);
}

export function createRedactor(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join("[redacted]");
    // Key-shaped strings the server may echo back (e.g. "Incorrect API key provided: sk-...").
    return out.replace(/\b(sk-(?:ant-)?[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, "$1…");
  };
}
