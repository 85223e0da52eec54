import { randomUUID } from "node:crypto";
import { DomainError } from "../../lib/errors";
import type { ProviderTarget } from "../../lib/providers";
import { isProviderAvailable, missingProviderSetting, type ProviderKeys } from "../../lib/provider-settings";
import type { ModelPrice } from "../../lib/pricing";
import { resolveRunConfig, startInputSchema, unpricedTargetIssue, type RunConfig, type StartInput } from "../../lib/run-config";
import { isActiveMode, type RunMode } from "../../lib/run-modes";
import { topicSlug } from "../../lib/slug";
import type { Db } from "../db/client";
import { sha256 } from "./producer-api";
import { moveAsideUnowned } from "./output-file";
import { createPreparedRun, findRunBySlug, saveRunConfig } from "./repo";

/** A run's config as stored: the start settings, the producers' secret (hashed) and the simulator they were given. */
export type StoredConfig = RunConfig & { secretHash: string; simulatorUrl?: string };

/** A start validated and prepared in full, before anything running is touched. */
export type PreparedStart = {
  runId: string;
  slug: string;
  config: RunConfig;
  secret: string;
  simUrl: string | undefined;
  /** The stored run's mode when this start resumes it (null: a new run). */
  resumedFrom: RunMode | null;
  /** Where an output/<slug>/ folder no stored run owned was moved to (a new run only). */
  movedAside: string | null;
};

export type SetupDeps = {
  db: Db;
  outputDir: string;
  keys: ProviderKeys;
  defaultProducers: number;
  simulatorUrl: (preferredUrl?: string) => Promise<string>;
  newSecret: () => string;
  /** The price table's answer for a model: real models without a price are refused (run-config.ts). */
  priceOf?: (provider: string, model: string) => ModelPrice | null;
  /** The dedup judge's default model (IGENTAI_JUDGE_MODEL). */
  judgeModel?: ProviderTarget;
};

/** Start settings -> the config producers run with (defaults filled, keys checked). */
export function runConfigOf(raw: unknown, deps: Pick<SetupDeps, "keys" | "defaultProducers" | "priceOf" | "judgeModel">): RunConfig {
  const parsed = startInputSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "invalid input");
  const config = resolveRunConfig(parsed.data, { producers: deps.defaultProducers, keys: deps.keys, judge: deps.judgeModel });
  for (const p of config.providers) {
    if (p.provider !== "sim" && !isProviderAvailable(p.provider, deps.keys)) {
      throw new DomainError("BAD_REQUEST", missingProviderSetting(p.provider));
    }
  }
  const breakdown = config.exploration === "tree" ? config.tree?.breakdownModel : undefined;
  if (breakdown && !isProviderAvailable(breakdown.provider, deps.keys)) {
    throw new DomainError(
      "BAD_REQUEST",
      `tree.breakdownModel.provider: ${breakdown.provider} has no API key in the server's environment`,
      "tree.breakdownModel.provider",
    );
  }
  const unpriced = deps.priceOf ? unpricedTargetIssue(config.providers, deps.priceOf) : null;
  if (unpriced) throw new DomainError("BAD_REQUEST", unpriced, "providers");
  const judge = config.judge;
  if (judge?.enabled) {
    if (judge.provider !== "sim" && !isProviderAvailable(judge.provider, deps.keys)) {
      throw new DomainError("BAD_REQUEST", `judge.provider: ${missingProviderSetting(judge.provider)}`, "judge");
    }
    const issue = deps.priceOf ? unpricedTargetIssue([judge], deps.priceOf) : null;
    if (issue) throw new DomainError("BAD_REQUEST", `judge.model: no price is known for ${judge.provider}:${judge.model} (set IGENTAI_PRICES)`, "judge");
  }
  return config;
}

/**
 * Validates and prepares a start completely (config, keys, simulator, secret, DB row)
 * without touching the active run: when this throws, nothing has changed.
 */
export async function prepareStart(deps: SetupDeps, raw: StartInput, activeRunId: string | null): Promise<PreparedStart> {
  const config = runConfigOf(raw, deps);
  const slug = topicSlug(config.topic);
  const simUrl =
    config.providers.some((p) => p.provider === "sim") || (config.judge?.enabled && config.judge.provider === "sim") ? await deps.simulatorUrl() : undefined;
  const secret = deps.newSecret();
  const stored: StoredConfig = { ...config, secretHash: sha256(secret), simulatorUrl: simUrl };
  const previous = await findRunBySlug(deps.db.prisma, slug);
  if (!previous) {
    const runId = randomUUID();
    await createPreparedRun(deps.db.prisma, { id: runId, topic: config.topic, slug, config: stored as never });
    // Kept even if the start fails later: nothing is lost by a folder moved aside.
    const movedAside = await moveAsideUnowned(deps.outputDir, slug, new Date());
    return { runId, slug, config, secret, simUrl, resumedFrom: null, movedAside };
  }
  // The active run's row keeps its config until it is stopped (a restart re-attaches with it).
  if (previous.id === activeRunId) return { runId: previous.id, slug, config, secret, simUrl, resumedFrom: "stopped", movedAside: null };
  await saveRunConfig(deps.db.prisma, previous.id, stored as never);
  // A row still marked active that this server does not hold was left by a server that is gone.
  const mode = isActiveMode(previous.state) ? "interrupted" : (previous.state as RunMode);
  return { runId: previous.id, slug, config, secret, simUrl, resumedFrom: mode, movedAside: null };
}
