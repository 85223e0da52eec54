import path from "node:path";
import { z } from "zod";
import { parseProviderSpec } from "./lib/providers";
import { providerEnvShape, providerSettingsOf, type ProviderSettings } from "./lib/provider-settings";
import { isLoopbackHost } from "./lib/request-guard";

/**
 * The server's environment, validated once. The server reads `process.env` elsewhere only
 * where it passes the environment on rather than uses it: `app.ts` copies a few named
 * variables (PATH, HOME, NODE_ENV, the call timeout, the simulator's params) into each
 * producer's environment, and `orchestrator/pm2.ts` lists every variable's name so pm2 does
 * not hand the server's environment to producers. Producers validate their own, smaller,
 * environment (`producer/env.ts`).
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const serverEnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    HOSTNAME: z.string().default("127.0.0.1"),
    /** Set by `npm start` (pm2-runtime): a shutdown of the server also stops the active run. */
    IGENTAI_STOP_RUN_ON_EXIT: z.enum(["0", "1", "true", "false"]).optional(),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
        .optional(),
    ),
    IGENTAI_DATA_DIR: z.string().default("data"),
    IGENTAI_OUTPUT_DIR: z.string().default("output"),
    IGENTAI_PRODUCERS: z.coerce.number().int().min(1).max(20).default(5),
    /** Port of the in-process LLM simulator; 0 picks a free one. */
    IGENTAI_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** An external simulator/OpenAI-compatible server to use instead of starting one. */
    IGENTAI_SIMULATOR_URL: optionalString.pipe(z.url().optional()),
    /** Where producers reach the API; defaults to http://127.0.0.1:$PORT/api/trpc. */
    IGENTAI_API_URL: optionalString.pipe(z.url().optional()),
    IGENTAI_PRICES: optionalString,
    /** Simulator behaviour overrides, JSON (see src/server/simulator/README.md). */
    IGENTAI_SIM_PARAMS: optionalString,
    /** Real name lists the simulator serves as their topics' universes: JSON files separated by the path delimiter (":" on Linux and macOS; src/server/simulator/real-lists.ts). */
    IGENTAI_SIM_REAL_LISTS: optionalString,
    /** The dedup judge's default model, provider:model (a preset's id and model); see README "Dedup". */
    IGENTAI_JUDGE_MODEL: optionalString.superRefine((spec, ctx) => {
      if (spec === undefined) return;
      try {
        parseProviderSpec(spec);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      }
    }),
    PM2_HOME: optionalString,
    /** Bearer token every API request must carry; required when HOSTNAME is not loopback. */
    IGENTAI_API_TOKEN: optionalString.pipe(z.string().min(16, "IGENTAI_API_TOKEN must have at least 16 characters").optional()),
    /** Further host names (comma-separated) the server answers to, besides loopback and HOSTNAME. */
    IGENTAI_ALLOWED_HOSTS: optionalString,
    /** Set by pm2 for the processes it runs. */
    pm_id: optionalString,
  })
  .superRefine((env, ctx) => {
    // The API spends the user's keys: beyond loopback nobody may call it without the token.
    if (!env.IGENTAI_API_TOKEN && !isLoopbackHost(env.HOSTNAME)) {
      ctx.addIssue({
        code: "custom",
        path: ["IGENTAI_API_TOKEN"],
        message: `HOSTNAME=${env.HOSTNAME} listens beyond loopback: set IGENTAI_API_TOKEN (e.g. \`openssl rand -hex 32\`) and pass it to clients (see README, Security)`,
      });
    }
  });

/** Every provider's `<ID>_API_KEY` and `<ID>_BASE_URL` (src/lib/providers.ts). */
const providerEnvSchema = z.object(providerEnvShape());

export type ServerEnv = z.infer<typeof serverEnvSchema> & {
  dataDir: string;
  outputDir: string;
  /** Keys and endpoint overrides of the providers that have any. */
  providers: ProviderSettings;
};

export class EnvError extends Error {}

export function parseServerEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = serverEnvSchema.safeParse(source);
  const providers = providerEnvSchema.safeParse(source);
  if (!parsed.success || !providers.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(providers.error?.issues ?? [])];
    const lines = issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new EnvError(`igentai: invalid environment:\n${lines.join("\n")}\nSee .env.example.`);
  }
  const env = parsed.data;
  return {
    ...env,
    providers: providerSettingsOf(providers.data as Record<string, string | undefined>),
    dataDir: path.resolve(env.IGENTAI_DATA_DIR),
    outputDir: path.resolve(env.IGENTAI_OUTPUT_DIR),
  };
}

let cached: ServerEnv | undefined;
export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv();
  return cached;
}
