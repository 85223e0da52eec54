import { describe, expect, it } from "vitest";
import { itemKey } from "../../lib/sim/universe";
import { chatText, fetchUniverse, listPrompt, openaiClient, startTestSimulator, tally, type UniverseTruth } from "../../../test/helpers/simulator";

/** The behaviour model as a client sees it: through the real OpenAI SDK over loopback. */

const TOPIC = "famous bridges";

describe("determinism", () => {
  it("a fresh server with the same seed gives the same answers; another seed does not", async () => {
    const run = async (seed: number) => {
      const sim = await startTestSimulator({ seed });
      const client = openaiClient(sim.url);
      const texts = [
        await chatText(client, "sim-strong", listPrompt(TOPIC)),
        await chatText(client, "sim-strong", listPrompt(TOPIC)), // the same prompt again: a new answer
        await chatText(client, "sim-weak", listPrompt("jazz albums", ["Kind of Blue"], 10)),
      ];
      await sim.stop();
      return texts;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(c[0]).not.toEqual(a[0]);
  });
});

describe("the topic universe", () => {
  it("is finite and Zipf-skewed: popular items come back in almost every answer, the tail rarely", async () => {
    const sim = await startTestSimulator();
    const client = openaiClient(sim.url);
    const truth = await fetchUniverse(sim.url, TOPIC);
    expect(truth.size).toBeGreaterThan(1000);
    const counts = new Map<number, number>();
    const answers = 40;
    for (let i = 0; i < answers; i++) {
      const { ranks } = tally(await chatText(client, "sim-strong", listPrompt(TOPIC, [], 50)), truth);
      for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    const appearances = (from: number, to: number) => [...counts].filter(([r]) => r >= from && r < to).reduce((a, [, n]) => a + n, 0);
    expect(appearances(0, 5)).toBeGreaterThan(answers * 5 * 0.6);
    expect(appearances(1000, 1005)).toBeLessThan(answers * 5 * 0.05);
    expect(Math.max(...counts.keys())).toBeLessThan(truth.size);
    await sim.stop();
  });

  it("runs dry: a producer that feeds back what it found saturates at what the model knows", async () => {
    const sim = await startTestSimulator({ universeSize: 300, universeSizeJitter: 0 });
    const client = openaiClient(sim.url);
    const truth = await fetchUniverse(sim.url, TOPIC);
    const info = (await (await fetch(`${sim.url}/sim/universe?topic=${encodeURIComponent(TOPIC)}`)).json()) as { knownByModel: Record<string, number> };
    const found = new Set<number>();
    const newPerCall: number[] = [];
    for (let i = 0; i < 12; i++) {
      const known = [...found].map((r) => truth.items[r] ?? "");
      const { ranks } = tally(await chatText(client, "sim-strong", listPrompt(TOPIC, known, 50)), truth);
      const before = found.size;
      for (const r of ranks) found.add(r);
      newPerCall.push(found.size - before);
    }
    expect(found.size).toBeLessThanOrEqual(info.knownByModel["sim-strong"] ?? 0);
    expect(found.size).toBeGreaterThan((info.knownByModel["sim-strong"] ?? 0) * 0.85);
    expect(newPerCall.at(-1)).toBeLessThan(newPerCall[0] ?? 0);
    await sim.stop();
  });
});

async function repeatShare(client: ReturnType<typeof openaiClient>, truth: UniverseTruth, known: string[], padding: string): Promise<number> {
  const knownRanks = new Set(known.map((k) => truth.rankOf.get(itemKey(k)) ?? -1));
  let repeats = 0;
  let items = 0;
  for (let i = 0; i < 8; i++) {
    const { ranks } = tally(await chatText(client, "sim-strong", listPrompt(TOPIC, known, 50, padding)), truth);
    items += ranks.length;
    repeats += ranks.filter((r) => knownRanks.has(r)).length;
  }
  return repeats / items;
}

describe("avoiding previous entries", () => {
  it("gets worse as the prompt gets longer", async () => {
    const sim = await startTestSimulator();
    const client = openaiClient(sim.url);
    const truth = await fetchUniverse(sim.url, TOPIC);
    const known = truth.items.slice(0, 200);
    const short = await repeatShare(client, truth, known, "");
    const long = await repeatShare(client, truth, known, "Background notes. ".repeat(6000)); // ~27k more tokens
    expect(short).toBeLessThan(0.2);
    expect(long).toBeGreaterThan(short * 2);
    await sim.stop();
  });
});

describe("model quality", () => {
  it("the weak model finds fewer unique items, with more repeats and junk, than the strong one", async () => {
    const sim = await startTestSimulator();
    const client = openaiClient(sim.url);
    const truth = await fetchUniverse(sim.url, TOPIC);
    const explore = async (model: string) => {
      const found = new Set<number>();
      let repeats = 0;
      let offTopic = 0;
      let lines = 0;
      for (let i = 0; i < 12; i++) {
        const known = [...found].map((r) => truth.items[r] ?? "");
        const { ranks, other } = tally(await chatText(client, model, listPrompt(TOPIC, known, 50)), truth);
        repeats += ranks.filter((r) => found.has(r)).length;
        offTopic += other.length;
        lines += ranks.length + other.length;
        for (const r of ranks) found.add(r);
      }
      return { unique: found.size, repeatShare: repeats / lines, offTopicShare: offTopic / lines };
    };
    const strong = await explore("sim-strong");
    const weak = await explore("sim-weak");
    expect(strong.unique).toBeGreaterThan(weak.unique * 1.2);
    expect(weak.repeatShare).toBeGreaterThan(strong.repeatShare * 2);
    expect(weak.offTopicShare).toBeGreaterThan(strong.offTopicShare);
    await sim.stop();
  });
});

describe("latency", () => {
  it("takes time-to-first-token plus time per output token, scaled by latencyScale", async () => {
    const sim = await startTestSimulator({ latencyScale: 0.5, latencyJitter: 0 });
    const client = openaiClient(sim.url);
    const profile = sim.params.models["sim-weak"];
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model: "sim-weak",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: listPrompt(TOPIC, [], 30) }],
    });
    let firstContentAt = 0;
    let outputTokens = 0;
    for await (const c of stream) {
      if (!firstContentAt && c.choices[0]?.delta.content) firstContentAt = performance.now() - started;
      if (c.usage) outputTokens = c.usage.completion_tokens;
    }
    const total = performance.now() - started;
    const expectedTotal = 0.5 * (profile.ttftMs + (outputTokens * 1000) / profile.tokensPerSecond);
    expect(firstContentAt).toBeGreaterThanOrEqual(0.5 * profile.ttftMs * 0.9);
    expect(total).toBeGreaterThan(expectedTotal * 0.8);
    // No upper bound: a loaded machine only ever makes it slower.
    await sim.stop();
  });
});
