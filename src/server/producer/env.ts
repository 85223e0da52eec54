import { z } from "zod";

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
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: optionalUrl,
  ANTHROPIC_API_KEY: optional,
  ANTHROPIC_BASE_URL: optionalUrl,
  IGENTAI_CALL_TIMEOUT_MS: z.coerce.number().int().min(1000, "must be at least 1000").max(600_000).default(60_000),
});

export type ProducerEnv = z.infer<typeof producerEnvSchema>;

export class ProducerEnvError extends Error {}

/** Validates the environment; the error names each bad variable, never its value. */
export function parseProducerEnv(source: Record<string, string | undefined>): ProducerEnv {
  const parsed = producerEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ProducerEnvError(`igentai producer: invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Values that must never appear in a log line or a message leaving the process. */
export function secretsOf(env: ProducerEnv): string[] {
  return [env.OPENAI_API_KEY, env.ANTHROPIC_API_KEY, env.IGENTAI_RUN_SECRET].filter((s): s is string => s !== undefined && s.length >= 4);
}

export function createRedactor(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join("[redacted]");
    // Key-shaped strings the server may echo back (e.g. "Incorrect API key provided: sk-...").
    return out.replace(/\b(sk-(?:ant-)?[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, "$1…");
  };
}
