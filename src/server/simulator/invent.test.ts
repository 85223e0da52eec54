import { describe, expect, it } from "vitest";
import { chatText, fetchUniverse, listPrompt, openaiClient, startTestSimulator, type UniverseTruth } from "../../../test/helpers/simulator";
import { parseItems } from "../../lib/parse-items";
import { OFF_TOPIC_ITEMS } from "../../lib/sim/names";
import { itemKey } from "../../lib/sim/universe";
import { buildVerifyPrompt, parseVerifyAnswer, type Opinion } from "../../lib/trust/verify-prompt";

/** Invention, off-topic drift and the simulated verifier, as a client sees them through the OpenAI SDK. */

const TOPIC = "medieval castles of Europe";
const OFF_TOPIC = new Set(OFF_TOPIC_ITEMS.map((t) => itemKey(t)));

type Kinds = { real: number; invented: string[]; offTopic: number };

function classify(text: string, truth: UniverseTruth): Kinds {
  const out: Kinds = { real: 0, invented: [], offTopic: 0 };
  for (const item of parseItems(text)) {
    const key = itemKey(item);
    if (truth.rankOf.has(key)) out.real++;
    else if (OFF_TOPIC.has(key)) out.offTopic++;
    else if (!/^(other|various|many|lesser|regional|modern|historical|see|and|etc|unknown|n\/a|misc)/i.test(item)) out.invented.push(item);
  }
  return out;
}

async function tallyAnswers(url: string, model: string, known: readonly string[], calls: number) {
  const client = openaiClient(url);
  const total: Kinds = { real: 0, invented: [], offTopic: 0 };
  for (let i = 0; i < calls; i++) {
    const k = classify(await chatText(client, model, listPrompt(TOPIC, known, 50)), await fetchUniverse(url, TOPIC));
    total.real += k.real;
    total.offTopic += k.offTopic;
    total.invented.push(...k.invented);
  }
  const lines = total.real + total.offTopic + total.invented.length;
  return { ...total, inventedShare: total.invented.length / lines, offTopicShare: total.offTopic / lines };
}

describe("invention", () => {
  it("asked past what it knows, a model invents plausible names, the weak model more; /sim/universe never lists them", async () => {
    const sim = await startTestSimulator({ universeSize: 300, universeSizeJitter: 0, seed: 3 });
    const truth = await fetchUniverse(sim.url, TOPIC);
    const fresh = await tallyAnswers(sim.url, "sim-strong", [], 6);
    // Everything listed as found: the model has nothing left that it knows.
    const strong = await tallyAnswers(sim.url, "sim-strong", truth.items, 6);
    const weak = await tallyAnswers(sim.url, "sim-weak", truth.items, 6);
    expect(fresh.inventedShare).toBeLessThan(0.03);
    expect(strong.inventedShare).toBeGreaterThan(0.1);
    expect(weak.inventedShare).toBeGreaterThan(strong.inventedShare);
    // Plausible: title-cased names, many in the topic's own form ("... Castle").
    expect(strong.invented.every((n) => /^[A-Z"“*]/.test(n) || /^[a-z]/.test(n))).toBe(true);
    expect(strong.invented.some((n) => / castles?$/i.test(n))).toBe(true);
    // The truth is unchanged: not one invented name is a universe item.
    const again = await fetchUniverse(sim.url, TOPIC);
    expect(again.items).toEqual(truth.items);
    for (const n of [...strong.invented, ...weak.invented]) expect(again.rankOf.has(itemKey(n))).toBe(false);
    await sim.stop();
  });

  it("drifts off-topic at a small rate ('Pizza', 'The Beatles' in a castles run)", async () => {
    const sim = await startTestSimulator({ seed: 4 });
    const strong = await tallyAnswers(sim.url, "sim-strong", [], 20);
    const weak = await tallyAnswers(sim.url, "sim-weak", [], 20);
    expect(strong.offTopic + weak.offTopic).toBeGreaterThan(0);
    expect(strong.offTopicShare).toBeLessThan(0.03);
    expect(weak.offTopicShare).toBeLessThan(0.12);
    expect(weak.offTopicShare).toBeGreaterThan(strong.offTopicShare);
    await sim.stop();
  });

  it("invention 0 switches it off", async () => {
    const sim = await startTestSimulator({ universeSize: 300, universeSizeJitter: 0, invention: 0 });
    const truth = await fetchUniverse(sim.url, TOPIC);
    expect((await tallyAnswers(sim.url, "sim-weak", truth.items, 4)).invented).toEqual([]);
    await sim.stop();
  });
});

describe("the simulated verifier", () => {
  it("errs as real ones do: accepts some invented names, rejects some real long-tail names, almost never accepts off-topic lines", async () => {
    const sim = await startTestSimulator({ universeSize: 1_000, universeSizeJitter: 0, seed: 9 });
    const truth = await fetchUniverse(sim.url, TOPIC);
    const invented = [...new Set((await tallyAnswers(sim.url, "sim-weak", truth.items, 12)).invented.map((n) => parseItems(n)[0] ?? n))];
    const tail = truth.items.slice(truth.size / 2);
    const kinds = { invented: [] as Opinion[], tail: [] as Opinion[], off: [] as Opinion[] };
    const client = openaiClient(sim.url);
    const ask = async (texts: string[], into: Opinion[]) => {
      for (let i = 0; i < texts.length; i += 80) {
        const items = texts.slice(i, i + 80).map((text, j) => ({ id: `v${j + 1}`, text }));
        const p = buildVerifyPrompt({ topic: TOPIC, path: [], items });
        const r = await client.chat.completions.create({
          model: "sim-strong",
          messages: [
            { role: "system", content: p.system },
            { role: "user", content: p.user },
          ],
        });
        const answer = parseVerifyAnswer(
          r.choices[0]?.message.content ?? "",
          items.map((x) => x.id),
        );
        expect(answer.size).toBe(items.length);
        for (const x of items) into.push(answer.get(x.id)!);
      }
    };
    await ask(invented, kinds.invented);
    await ask(tail, kinds.tail);
    await ask([...OFF_TOPIC_ITEMS, ...OFF_TOPIC_ITEMS, ...OFF_TOPIC_ITEMS, ...OFF_TOPIC_ITEMS, ...OFF_TOPIC_ITEMS], kinds.off);
    const share = (xs: Opinion[], o: Opinion) => xs.filter((x) => x === o).length / xs.length;
    expect(kinds.invented.length).toBeGreaterThan(100);
    // At least 5 % wrong verdicts on invented names and on real long-tail names: no perfect oracle.
    expect(share(kinds.invented, "yes")).toBeGreaterThanOrEqual(0.05);
    expect(share(kinds.invented, "yes")).toBeLessThan(0.15);
    expect(share(kinds.tail, "no")).toBeGreaterThanOrEqual(0.05);
    expect(share(kinds.tail, "yes")).toBeGreaterThan(0.75);
    expect(share(kinds.off, "off")).toBeGreaterThan(0.95);
    await sim.stop();
  });
});
