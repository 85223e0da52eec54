import { availableRealProviders, type ProviderKeys } from "../provider-settings";
import { z } from "zod";

/** Verification of a run's entries (src/server/orchestrator/verify-queue.ts). */
export const verifyInputSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** Most of the run's spend that side calls (verification and the dedup judge) may take, 0..0.5. */
    maxShare: z.number().min(0).max(0.5).optional(),
    /** How long a new entry waits for re-proposals (support) before it is verified. */
    settleSeconds: z.number().min(0).max(600).optional(),
  })
  .strict();

export type VerifyConfig = { enabled: boolean; maxShare: number; settleSeconds: number };

export const DEFAULT_VERIFY_SHARE = 0.1;
export const DEFAULT_SETTLE_SECONDS = 20;

/** On by default with a real provider's key; off with only the simulator unless asked for. */
export function resolveVerify(input: z.output<typeof verifyInputSchema> | undefined, keys: ProviderKeys): VerifyConfig {
  return {
    // On by default when any real provider is available (its key, or a local server's URL).
    enabled: input?.enabled ?? availableRealProviders(keys).length > 0,
    maxShare: input?.maxShare ?? DEFAULT_VERIFY_SHARE,
    settleSeconds: input?.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
  };
}
