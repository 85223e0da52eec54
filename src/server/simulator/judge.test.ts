import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDedupEngine } from "../../lib/dedup";
import { buildJudgePrompt, buildSelectorPrompt, parseJudgeVerdicts, type JudgePair, type SelectorRequest } from "../../lib/dedup/judge";
import { buildAliasPrompt, type AliasRequest } from "../../lib/dedup/aliases";
import { dedupLinesJudged } from "../../lib/dedup/lines";
import { universeAliases } from "../../lib/sim/aliases";
import { canonicalTopic, itemKey } from "../../lib/sim/universe";
import { fetchUniverse, openaiClient, startTestSimulator, anthropicClient } from "../../../test/helpers/simulator";

/** Dedup judge requests through the real SDKs: the simulator answers verdicts, not items. */

const TOPIC = "famous bridges";
let sim: Awaited<ReturnType<typeof startTestSimulator>>;

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 3 });
});
afterAll(async () => {
  await sim.stop();
});

describe("simulator as a dedup judge", () => {
  it("answers a batch of pairs over both wire formats, mostly right (documented error rate)", async () => {
    const truth = await fetchUniverse(sim.url, TOPIC);
    const pairs: JudgePair[] = Array.from({ length: 40 }, (_, i) => ({
      id: `p${i + 1}`,
      candidate: i % 2 === 0 ? `The ${truth.items[i]!}` : truth.items[i]!,
      entry: truth.items[i % 2 === 0 ? i : i + 1]!,
    }));
    const prompt = buildJudgePrompt({ topic: TOPIC, pairs });
    const openai = await openaiClient(sim.url).chat.completions.create({
      model: "sim-strong",
      messages: [
        { role: "system", content: prompt.system },
        { role: "user", content: prompt.user },
      ],
    });
    const anthropic = await anthropicClient(sim.url).messages.create({
      model: "sim-claude",
      max_tokens: 1000,
      system: prompt.system,
      messages: [{ role: "user", content: prompt.user }],
    });
    const anthropicText = anthropic.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    for (const text of [openai.choices[0]?.message.content ?? "", anthropicText]) {
      const verdicts = parseJudgeVerdicts(
        text,
        pairs.map((p) => p.id),
      );
      expect(verdicts.size, text).toBe(pairs.length);
      const right = pairs.filter((p, i) => verdicts.get(p.id) === (i % 2 === 0 ? "same" : "different")).length;
      expect(right, text).toBeGreaterThanOrEqual(36);
    }
  });
});

describe("simulator as a dedup selector (npm run dedup -- --judge)", () => {
  it("picks the entry a described or misspelt line repeats, merges it once, and never calls again for it", async () => {
    const truth = await fetchUniverse(sim.url, TOPIC);
    const items = truth.items.slice(0, 30);
    const lines = [
      ...items,
      // each described twice: the second time the alias memory answers, no judge call
      ...items.slice(0, 20).map((t) => `${t} (a famous one)`),
      ...items.slice(0, 20).map((t) => `${t} (a famous one)`),
    ];
    const client = openaiClient(sim.url);
    let calls = 0;
    const select = async (request: SelectorRequest) => {
      calls++;
      const prompt = buildSelectorPrompt(request);
      const res = await client.chat.completions.create({
        model: "sim-strong",
        messages: [
          { role: "system", content: prompt.system },
          { role: "user", content: prompt.user },
        ],
      });
      return {
        text: res.choices[0]?.message.content ?? "",
        promptTokens: res.usage?.prompt_tokens ?? null,
        completionTokens: res.usage?.completion_tokens ?? null,
      };
    };
    const engine = createDedupEngine({ borderline: true, blocking: true });
    const { verdicts, stats } = await dedupLinesJudged(lines, engine, TOPIC, select);
    expect(calls).toBe(1);
    expect(stats).toMatchObject({ calls: 1, failedCalls: 0, items: 20 });
    // the simulated judge errs 2 % each way: at least 18 of the 20 described lines merged, each into its own item
    expect(stats.merged).toBeGreaterThanOrEqual(18);
    for (const v of verdicts.slice(30, 50)) if (!v.result.unique) expect(v.text.startsWith(v.result.duplicateOf)).toBe(true);
    // proposed again, a merged line is an alias: a duplicate at once
    const again = verdicts.slice(50);
    const merged = new Set(
      verdicts
        .slice(30, 50)
        .filter((v) => !v.result.unique)
        .map((v) => v.text),
    );
    for (const v of again) if (merged.has(v.text)) expect(v.result).toMatchObject({ unique: false, reason: "alias" });
    expect(verdicts.slice(0, 30).every((v) => v.result.unique)).toBe(true);
  });
});

describe("simulator as an alias source (npm run dedup -- --judge --aliases)", () => {
  it("gives other names of its items; a later line naming one is merged by the selector, and without aliases it leaks", async () => {
    const truth = await fetchUniverse(sim.url, TOPIC);
    const universe = { topic: canonicalTopic(TOPIC), items: truth.items, index: new Map(truth.items.map((t, i) => [itemKey(t), i])) };
    const { byRank } = universeAliases(universe);
    const ranks = [...byRank.keys()].slice(0, 40);
    expect(ranks).toHaveLength(40);
    const lines = [...ranks.map((r) => truth.items[r]!), ...ranks.map((r) => byRank.get(r)!)];
    const client = openaiClient(sim.url);
    const ask = async (prompt: { system: string; user: string }) => {
      const res = await client.chat.completions.create({
        model: "sim-strong",
        messages: [
          { role: "system", content: prompt.system },
          { role: "user", content: prompt.user },
        ],
      });
      return { text: res.choices[0]?.message.content ?? "", promptTokens: null, completionTokens: null };
    };
    const select = (r: SelectorRequest) => ask(buildSelectorPrompt(r));
    const aliases = (r: AliasRequest) => ask(buildAliasPrompt(r));

    const withAliases = await dedupLinesJudged(lines, createDedupEngine({ borderline: true, blocking: true }), TOPIC, select, undefined, aliases);
    expect(withAliases.stats).toMatchObject({ aliasCalls: 1, aliasesSuggested: 40 });
    const merged = withAliases.verdicts.slice(40).filter((v, i) => !v.result.unique && v.result.duplicateOf === lines[i]);
    // the simulated selector errs 2 % each way
    expect(merged.length).toBeGreaterThanOrEqual(36);

    const without = await dedupLinesJudged(lines, createDedupEngine({ borderline: true, blocking: true }), TOPIC, select);
    expect(without.verdicts.slice(40).filter((v) => !v.result.unique)).toHaveLength(0);
  });
});
