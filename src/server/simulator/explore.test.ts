import { describe, expect, it } from "vitest";
import { openaiClient, startTestSimulator } from "../../../test/helpers/simulator";
import { EntryLedger } from "../../lib/entry-ledger";
import { parseItems } from "../../lib/parse-items";
import { seededRng } from "../../lib/stats/math";
import { classifyCandidates, TreeExplorer } from "../../lib/tree/explorer";

describe("the topic tree grows on the simulator's hierarchical universe", () => {
  it("breaks the topic down through the SDK, and the new branches produce entries", async () => {
    const sim = await startTestSimulator({ universeSize: 3_000, universeSizeJitter: 0 });
    const client = openaiClient(sim.url);
    const explorer = new TreeExplorer({
      topic: "Birds of the world",
      exploration: "tree",
      models: ["sim-strong"],
      breakdownModel: "sim-weak",
      promptBudgetTokens: 1_000,
      promptOptimisation: false,
      rng: seededRng(5),
    });
    const ledger = new EntryLedger();
    let breakdowns = 0;
    for (let i = 0; i < 60; i++) {
      const call = explorer.next();
      if (!call) break;
      const r = await client.chat.completions.create({
        model: call.model,
        max_tokens: call.maxTokens,
        messages: [
          { role: "system", content: call.system },
          { role: "user", content: call.user },
        ],
      });
      const text = r.choices[0]?.message.content ?? "";
      const tokens = (r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0);
      if (call.kind === "breakdown") {
        breakdowns++;
        explorer.onBreakdown(call, text);
      } else {
        const { newEntries, reproposed } = classifyCandidates(ledger, parseItems(text));
        explorer.onItems(call, { newEntries, reproposed, tokens, costUsd: 0, latencyMs: 1_000 }, i);
      }
    }
    const tree = explorer.tree;
    expect(breakdowns).toBeGreaterThan(0);
    expect(tree.size).toBeGreaterThan(4);
    const branches = tree.all().filter((b) => b.depth > 0);
    const fromBranches = branches.reduce((n, b) => n + b.counters.newEntries, 0);
    expect(branches.filter((b) => b.counters.newEntries > 0).length).toBeGreaterThan(2);
    expect(fromBranches).toBeGreaterThan(100);
    // Every entry is counted once, in the branch whose call found it.
    expect(tree.all().reduce((n, b) => n + b.counters.newEntries, 0)).toBe(ledger.texts.length);
    expect(explorer.known.size).toBe(ledger.texts.length);
    await sim.stop();
  });
});
