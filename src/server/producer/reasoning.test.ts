import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseItems } from "../../lib/parse-items";
import type { ProviderId } from "../../lib/providers";
import { REASONING_DRAFTS } from "../../lib/sim/reasoning";
import { startSimulator, type SimParamsOverride, type SimulatorHandle } from "../simulator";
import { systemClock } from "./clock";
import { createLlmResolver, type LlmResolution } from "./llm/factory";
import type { LlmResponse } from "./llm/types";
import { MemoryOrchestrator } from "../../../test/helpers/memory-orchestrator";
import { Producer } from "./producer";

// A reasoning model (the simulator's sim-reasoner: DeepSeek-R1 / Qwen3 behaviour) opens each
// answer with its thinking, which lists draft names it then rejects. Through the real OpenAI
// SDK over HTTP, only the final list may reach the orchestrator.

let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startSimulator({ params: { latencyScale: 0, errorRate500: 0, overloadRate: 0, rateLimits: false } });
});
afterAll(() => sim.close());

const draftsOf = (reasoning: string) => reasoning.split("\n").flatMap((l) => (l.startsWith("- ") ? [l.slice(2)] : []));

describe.each([
  ["inline <think> blocks", "think", 0],
  ["streamed reasoning_content", "field", 0],
  // The template opened the <think>: the first answer's drafts may stream out before its </think>.
  ["a <think> its chat template opened, from its second answer on", "prefilled", 1],
] as const)("a reasoning model with %s", (_name, mode, learning) => {
  it("yields the final list only; the thinking's tokens are counted and billed", async () => {
    const params: SimParamsOverride = { models: { "sim-reasoner": { reasoning: mode } } };
    const resolve = createLlmResolver({ simulatorUrl: sim.url, callTimeoutMs: 5000, defaultHeaders: { "x-sim-params": JSON.stringify(params) } });
    // The real client, with each answer kept for the checks (calls run one at a time).
    const answers: LlmResponse[] = [];
    const llmFor = (t: { provider: ProviderId; model: string }): LlmResolution => {
      const r = resolve(t);
      if (!("client" in r)) return r;
      return {
        client: {
          ...r.client,
          stream: (req) =>
            r.client.stream(req).then((res) => {
              answers.push(res);
              return res;
            }),
        },
      };
    };
    const orch = new MemoryOrchestrator({
      topic: "Rivers of Europe",
      target: { provider: "sim", model: "sim-reasoner" },
      requestSize: 20,
      promptBudgetTokens: 2000,
    });
    const summary = await new Producer({
      channel: orch.channelFor("p1"),
      llmFor,
      clock: systemClock,
      stopSignal: new AbortController().signal,
      options: { maxCalls: 3 + learning, submitIntervalMs: 0 },
    }).run();
    expect(summary).toMatchObject({ calls: 3 + learning, failedCalls: 0 });
    expect(answers).toHaveLength(3 + learning);
    for (const [i, answer] of answers.entries()) {
      if (i < learning) continue;
      const call = orch.calls[i]!;
      const submitted = orch.batches.filter((b) => b.callId === call.callId).flatMap((b) => b.candidates);
      const drafts = draftsOf(answer.reasoning);
      expect(drafts).toHaveLength(REASONING_DRAFTS);
      // The drafts are names a line parser would take for items, had they reached it.
      expect(parseItems(answer.reasoning)).toEqual(expect.arrayContaining(drafts));
      expect(answer.text).not.toMatch(/<\/?think>/);
      expect(submitted.length).toBeGreaterThanOrEqual(15);
      expect(submitted.filter((c) => drafts.includes(c))).toEqual([]);
      expect(submitted.some((c) => /brainstorm|think/i.test(c))).toBe(false);
      expect(call.itemsParsed).toBe(submitted.length);
      // Billed: the API's completion tokens include the thinking (the simulator counts 4 characters a token).
      expect(call.completionTokens).toBeGreaterThanOrEqual(Math.ceil((answer.reasoning.length + answer.text.length) / 4));
    }
    expect(orch.entries.length).toBeGreaterThan(0);
  });
});
