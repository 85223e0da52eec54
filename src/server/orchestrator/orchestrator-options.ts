import type { ModelPrice } from "../../lib/pricing";
import type { CallRecord } from "../../lib/protocol";
import type { ProviderId, ProviderTarget } from "../../lib/providers";
import type { ProviderKeys } from "../../lib/provider-settings";
import type { Db } from "../db/client";
import type { LlmResolution } from "../producer/llm/factory";
import type { Supervisor } from "./supervisor";

/** What the orchestrator is built with (src/server/app.ts builds it from the environment). */
export type OrchestratorOptions = {
  db: Db;
  supervisor: Supervisor;
  outputDir: string;
  /** How producers reach the tRPC API, e.g. http://127.0.0.1:8080/api/trpc. */
  apiUrl: string;
  defaultProducers: number;
  keys: ProviderKeys;
  /** Environment passed to every producer (API keys, base URLs); never shown to users. */
  producerEnv: () => Record<string, string>;
  /** Base URL of the simulator, started on first use (on the preferred URL's port if free). */
  simulatorUrl: (preferredUrl?: string) => Promise<string>;
  costOf: (call: CallRecord) => number;
  /** The price table's answer for a model; start refuses real models without a price (run-config.ts). */
  priceOf?: (provider: string, model: string) => ModelPrice | null;
  clock?: () => number;
  /** Makes the per-run producer secret (benchmarks pass a known one to drive the API directly). */
  newSecret?: () => string;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** The dedup judge's default model (IGENTAI_JUDGE_MODEL). */
  judgeModel?: ProviderTarget;
  /** A client for the judge's model, through the producers' provider layer and SDKs. */
  judgeLlm?: (target: { provider: ProviderId; model: string }, simulatorUrl: string | undefined) => LlmResolution;
  /** Longest wait for one judge call (default 10 s). */
  judgeTimeoutMs?: number;
  /** How long a borderline pair waits for others to share its judge call (default 2 s; it is already an entry meanwhile). */
  judgeGatherMs?: number;
  /** Longest wait at stop for pending verification (default 3 minutes; run-verify.ts). */
  verifyDrainMs?: number;
};
