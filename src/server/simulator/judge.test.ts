import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJudgePrompt, parseJudgeVerdicts, type JudgePair } from "../../lib/dedup/judge";
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
