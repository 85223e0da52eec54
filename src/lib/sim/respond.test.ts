import { describe, expect, it } from "vitest";
import { SIM_MODEL_PROFILES } from "./models";
import { DEFAULT_SIM_PARAMS } from "./params";
import { Rng } from "./prng";
import { composeAnswer, drawRanks, repeatWeight, type AnswerInput } from "./respond";
import { generateUniverse, knownRanks, zipfWeights } from "./universe";

const universe = generateUniverse("cheeses", 2000, 0);
const weights = zipfWeights(universe.items.length, 1);
const everything = new Uint8Array(universe.items.length).fill(1);

function input(over: Partial<AnswerInput> = {}): AnswerInput {
  return {
    universe,
    known: everything,
    weights,
    prompt: { topic: "cheeses", knownEntries: [], requestSize: 50 },
    promptTokens: 100,
    profile: SIM_MODEL_PROFILES["sim-strong"],
    params: DEFAULT_SIM_PARAMS,
    displayTopic: "cheeses",
    rng: new Rng(1),
    ...over,
  };
}

describe("behaviour model", () => {
  it("draws popular items far more often (Zipf) and lists them first", () => {
    const counts = new Array<number>(universe.items.length).fill(0);
    let firstRankSum = 0;
    let lastRankSum = 0;
    const rng = new Rng(42);
    for (let i = 0; i < 200; i++) {
      const ranks = drawRanks(everything, weights, new Set(), 1, 50, rng);
      for (const r of ranks) counts[r] = (counts[r] ?? 0) + 1;
      firstRankSum += ranks.slice(0, 10).reduce((a, b) => a + b, 0);
      lastRankSum += ranks.slice(-10).reduce((a, b) => a + b, 0);
    }
    const top10 = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    const band = counts.slice(1000, 1010).reduce((a, b) => a + b, 0);
    expect(top10).toBeGreaterThan(1500); // nearly every answer lists the top items
    expect(band).toBeLessThan(top10 / 20);
    expect(firstRankSum).toBeLessThan(lastRankSum / 3);
  });

  it("only ever lists items of the finite universe the model knows", () => {
    const known = knownRanks(universe, "sim-weak", 0.35, 0.5);
    const seen = new Set<number>();
    const rng = new Rng(5);
    for (let i = 0; i < 100; i++) for (const r of drawRanks(known, weights, seen, 0.01, 50, rng)) seen.add(r);
    expect([...seen].every((r) => known[r] === 1)).toBe(true);
    expect(seen.size).toBeLessThanOrEqual(700);
    expect(seen.size).toBeGreaterThan(600); // and with avoidance it gets close to all of them
  });

  it("avoids previous entries less the longer the prompt is", () => {
    const profile = SIM_MODEL_PROFILES["sim-strong"];
    expect(repeatWeight(0, profile)).toBeCloseTo(profile.repeatRate);
    expect(repeatWeight(profile.avoidHalfLifeTokens, profile)).toBeCloseTo((1 + profile.repeatRate) / 2);
    expect(repeatWeight(1e7, profile)).toBeCloseTo(1);

    const previous = universe.items.slice(0, 300);
    const repeatsAt = (promptTokens: number) => {
      let repeats = 0;
      for (let seed = 0; seed < 20; seed++) {
        const a = composeAnswer(input({ prompt: { topic: "cheeses", knownEntries: previous, requestSize: 50 }, promptTokens, rng: new Rng(seed) }));
        repeats += a.lines.filter((l) => l.kind === "repeat").length;
      }
      return repeats;
    };
    const short = repeatsAt(2_000);
    const long = repeatsAt(60_000);
    expect(long).toBeGreaterThan(short * 3);
  });

  it("mixes in junk at the model's junk rate, never counted as items", () => {
    const answer = (seed: number) =>
      composeAnswer(
        input({
          profile: { ...SIM_MODEL_PROFILES["sim-weak"], junkRate: 0.2 },
          rng: new Rng(seed),
          prompt: { topic: "cheeses", knownEntries: [], requestSize: 100 },
        }),
      );
    let junk = 0;
    for (let seed = 0; seed < 20; seed++) junk += answer(seed).lines.filter((l) => l.kind === "junk").length;
    expect(junk / 2000).toBeGreaterThan(0.15);
    expect(junk / 2000).toBeLessThan(0.25);
  });

  it("writes a list with preambles, markers and sign-offs at the configured rates", () => {
    const always = composeAnswer(input({ params: { noiseRate: 0, preambleRate: 1, signoffRate: 1 } }));
    expect(always.lines[0]?.kind).toBe("preamble");
    expect(always.lines.at(-1)?.kind).toBe("signoff");
    const never = composeAnswer(input({ params: { noiseRate: 0, preambleRate: 0, signoffRate: 0 } }));
    expect(never.lines.every((l) => l.kind === "item" || l.kind === "junk")).toBe(true);
    expect(never.lines.filter((l) => l.kind === "item")).toHaveLength(never.lines.length - never.lines.filter((l) => l.kind === "junk").length);
  });

  it("answers identically for the same rng seed", () => {
    expect(composeAnswer(input({ rng: new Rng(9) })).text).toBe(composeAnswer(input({ rng: new Rng(9) })).text);
    expect(composeAnswer(input({ rng: new Rng(9) })).text).not.toBe(composeAnswer(input({ rng: new Rng(10) })).text);
  });
});
