import { describe, expect, it } from "vitest";
import { buildBranchPrompt } from "../prompt-branch";
import { parseItems } from "../parse-items";
import { SimEngine } from "./engine";
import { itemKey } from "./universe";

const TOPIC = "Birds of the world";

/** Ranks of the universe items in answers to `prompt`, over `n` calls. */
function ranksOf(engine: SimEngine, path: string[], n: number): number[] {
  const u = engine.universe(TOPIC);
  const p = buildBranchPrompt({ topic: TOPIC, path, requestSize: 50, known: { own: [], related: [], totalKnown: 0 }, budgetTokens: 500 });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = engine.handle(
      { wire: "openai", model: "sim-strong", apiKey: "k", messageTexts: [p.system, p.user], maxTokens: 4_000, stopSequences: [], stream: false },
      0,
    );
    if (!r.ok) throw new Error(r.failure.kind);
    for (const line of parseItems(r.text)) {
      const rank = u.index.get(itemKey(line));
      if (rank !== undefined) out.push(rank);
    }
  }
  return out;
}

describe("focused requests and the long-tail cue", () => {
  const base = { universeSize: 4_000, universeSizeJitter: 0, errorRate500: 0, overloadRate: 0, rateLimits: false, latencyScale: 0 } as const;

  it("leaves today's unfocused answers unchanged when the cue is off", () => {
    const a = ranksOf(new SimEngine({ ...base, universeShape: "flat" }), [], 5);
    const b = ranksOf(new SimEngine({ ...base, universeShape: "hierarchical" }), [], 5);
    expect(b).toEqual(a);
  });

  it("with the cue on, unfocused requests miss the tail that requests focused on its branch still reach", () => {
    const off = new SimEngine({ ...base });
    const on = new SimEngine({ ...base, cueDependence: 0.8 });
    const h = on.hierarchy(TOPIC);
    const leaf = h.nodes.filter((n) => n.depth === 2).sort((x, y) => y.ranks.length - x.ranks.length)[0]!;
    const path = [h.nodes[leaf.parent!]!.label, leaf.label];
    const tail = (ranks: number[]) => ranks.filter((r) => r > 2_000).length;
    const leafTail = (ranks: number[]) => ranks.filter((r) => r > 2_000 && h.leafOf[r] === leaf.id).length;
    expect(tail(ranksOf(on, [], 20))).toBeLessThan(0.6 * tail(ranksOf(off, [], 20)));
    expect(leafTail(ranksOf(on, path, 20))).toBeGreaterThan(0.8 * leafTail(ranksOf(off, path, 20)));
  });
});
