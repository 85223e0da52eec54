import { describe, expect, it } from "vitest";
import { anthropicClient, chatText, fetchUniverse, openaiClient, startTestSimulator, tally } from "../../../test/helpers/simulator";
import { buildBranchPrompt, buildBreakdownPrompt, parseBreakdownAnswer } from "../../lib/prompt-branch";
import { generateHierarchy, resolvePath } from "../../lib/sim/hierarchy";
import { generateUniverse } from "../../lib/sim/universe";

const TOPIC = "Birds of the world";

type Category = { label: string; parent: number | null; depth: number; size: number };

async function categories(url: string): Promise<Category[]> {
  const res = await fetch(`${url}/sim/universe?items=1&topic=${encodeURIComponent(TOPIC)}`);
  return ((await res.json()) as { categories: Category[] }).categories;
}

describe("the simulator answers the topic tree's requests through the SDKs", () => {
  it("breaks a branch into subtopics, most of them true sub-categories", async () => {
    const sim = await startTestSimulator({ universeSize: 3_000, universeSizeJitter: 0 });
    const cats = await categories(sim.url);
    const top = cats.filter((c) => c.depth === 1).map((c) => c.label.toLowerCase());
    const p = buildBreakdownPrompt({ topic: TOPIC, path: [], existing: [], count: 12 });
    const r = await openaiClient(sim.url).chat.completions.create({
      model: "sim-strong",
      messages: [
        { role: "system", content: p.system },
        { role: "user", content: p.user },
      ],
    });
    const labels = parseBreakdownAnswer(r.choices[0]?.message.content ?? "");
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels.filter((l) => top.includes(l.toLowerCase())).length).toBeGreaterThanOrEqual(Math.min(3, top.length));
    // Breakdown answers are short: billed like any answer, far below an item list.
    expect(r.usage?.completion_tokens ?? 0).toBeLessThan(200);
    await sim.stop();
  });

  it("answers an item request focused on a sub-category mostly from it, on both wires", async () => {
    const sim = await startTestSimulator({ universeSize: 3_000, universeSizeJitter: 0 });
    const truth = await fetchUniverse(sim.url, TOPIC);
    const cats = await categories(sim.url);
    const leafIndex = cats.findIndex((c) => c.depth === 2 && c.size >= 80);
    const leaf = cats[leafIndex]!;
    const parent = cats[leaf.parent!]!;
    // Which items belong to the leaf: the hierarchy the simulator generates for these parameters.
    const h = generateHierarchy(generateUniverse(TOPIC, 3_000, 0), { shape: "hierarchical", categories: 8, subcategories: 5 });
    const node = resolvePath(h, [parent.label, leaf.label]);
    expect(h.nodes[node]!.label).toBe(leaf.label);
    const inLeaf = new Set(h.nodes[node]!.ranks);

    const p = buildBranchPrompt({
      topic: TOPIC,
      path: [parent.label, leaf.label],
      requestSize: 40,
      known: { own: [], related: [], totalKnown: 0 },
      budgetTokens: 1_000,
    });
    const focusedOpenai = tally(await chatText(openaiClient(sim.url), "sim-strong", `${p.system}\n${p.user}`), truth).ranks;
    const msg = await anthropicClient(sim.url).messages.create({
      model: "sim-claude",
      max_tokens: 2_000,
      system: p.system,
      messages: [{ role: "user", content: p.user }],
    });
    const focusedClaude = tally(msg.content.map((b) => (b.type === "text" ? b.text : "")).join(""), truth).ranks;
    for (const ranks of [focusedOpenai, focusedClaude]) {
      expect(ranks.length).toBeGreaterThan(20);
      const share = ranks.filter((r) => inLeaf.has(r)).length / ranks.length;
      expect(share).toBeGreaterThan(0.5);
      expect(share).toBeLessThan(1.0001);
    }

    // Unfocused, the same model follows the popularity skew over the whole universe.
    const flat = buildBranchPrompt({ topic: TOPIC, path: [], requestSize: 40, known: { own: [], related: [], totalKnown: 0 }, budgetTokens: 1_000 });
    const unfocused = tally(await chatText(openaiClient(sim.url), "sim-strong", `${flat.system}\n${flat.user}`), truth).ranks;
    const leafShare = inLeaf.size / truth.size;
    expect(unfocused.filter((r) => inLeaf.has(r)).length / unfocused.length).toBeLessThan(leafShare + 0.25);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(unfocused)).toBeLessThan(300);
    await sim.stop();
  });
});
