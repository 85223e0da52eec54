import { randomUUID } from "node:crypto";
import { errorMessage } from "../../lib/errors";
import { parseBreakdownAnswer } from "../../lib/prompt-branch";
import { estimateTokens } from "../../lib/token-count";
import type { CallRecord } from "../../lib/protocol";
import type { ProviderId } from "../../lib/providers";
import { providerSettingsOf } from "../../lib/provider-settings";
import { cheapestTarget, requestPricedCostUsd, type RunConfig } from "../../lib/run-config";
import type { PrismaClient } from "../../generated/prisma/client";
import { createLlmResolver, type LlmConfig } from "../producer/llm/factory";
import { completionTokensOf, LlmCallError, streamedTokensOf } from "../producer/llm/types";
import { insertLlmCall } from "./repo";

/** A breakdown call's answer; null when the call failed (the tree asks again later). */
/** A breakdown call made and stored (`failed`: no answer to use), or null when none could be made. */
export type BreakdownAnswer = { callId: string; text: string; truncated: boolean; costUsd: number; call: CallRecord; failed: boolean } | null;

export type BreakdownRequest = { system: string; user: string; maxTokens: number };

/** The producer name breakdown calls are recorded under in llm_calls. */
export const TREE_PRODUCER = "tree";

export type BreakdownCallDeps = {
  prisma: () => PrismaClient;
  runId: string;
  config: Pick<RunConfig, "providers" | "tree">;
  /** Keys, base URLs and the simulator URL, as producers get them. */
  llm: LlmConfig;
  costOf: (call: CallRecord) => number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/**
 * Breakdown calls of a tree run: the run's breakdown model through the producers' SDK path
 * (src/server/producer/llm), each call stored in llm_calls and costed like an item call.
 */
export function breakdownCaller(deps: BreakdownCallDeps): (req: BreakdownRequest) => Promise<BreakdownAnswer> {
  const resolve = createLlmResolver(deps.llm);
  const target: { provider: ProviderId; model: string } = deps.config.tree?.breakdownModel ?? cheapestTarget(deps.config.providers);
  return async (req) => {
    const resolution = resolve(target);
    if ("unavailable" in resolution) {
      deps.log("warn", `topic tree: ${resolution.unavailable}`);
      return null;
    }
    const callId = `tree-${randomUUID()}`;
    const startedAt = deps.clock();
    let text = "";
    let truncated = false;
    let usage: { promptTokens: number; completionTokens: number };
    let error: CallRecord["error"];
    try {
      const r = await resolution.client.stream({
        system: req.system,
        user: req.user,
        maxTokens: req.maxTokens,
        signal: AbortSignal.timeout(deps.llm.callTimeoutMs),
        onText: () => undefined,
      });
      text = r.text;
      truncated = r.truncated;
      usage = {
        promptTokens: r.promptTokens ?? estimateTokens(req.system) + estimateTokens(req.user),
        completionTokens: completionTokensOf(r),
      };
    } catch (err) {
      const e = err instanceof LlmCallError ? err : new LlmCallError("other", errorMessage(err));
      error = { kind: e.kind, message: e.message.slice(0, 500), ...(e.status !== undefined ? { status: e.status } : {}) };
      usage = { promptTokens: 0, completionTokens: streamedTokensOf(e) };
    }
    const call: CallRecord = {
      callId,
      provider: target.provider,
      model: target.model,
      startedAt,
      latencyMs: Math.max(0, Math.round(deps.clock() - startedAt)),
      ...usage,
      itemsParsed: error ? 0 : parseBreakdownAnswer(text, { truncated }).length,
      ...(error ? { error } : {}),
    };
    const costUsd = requestPricedCostUsd(deps.config, call) ?? deps.costOf(call);
    await insertLlmCall(deps.prisma(), deps.runId, call, { producer: TREE_PRODUCER, itemsNew: 0, costUsd }).catch((err: unknown) =>
      deps.log("error", `recording a breakdown call: ${errorMessage(err)}`),
    );
    if (error) deps.log("warn", `topic tree: breakdown call failed (${error.kind}): ${error.message}`);
    return { callId, text, truncated, costUsd, call, failed: error !== undefined };
  };
}

/** The provider settings a producer gets from its environment, for calls the server makes itself. */
export function producerLlmConfig(env: Record<string, string>, simulatorUrl: string | undefined, now: () => number): LlmConfig {
  return {
    providers: providerSettingsOf(env),
    simulatorUrl,
    callTimeoutMs: 60_000,
    now,
  };
}
