import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../providers";
import { SIM_MODEL_IDS, SIM_MODEL_PRICES, SIM_MODEL_PROFILES, simCallCostUsd } from "./models";
import { applyNoise, NOISE_KINDS, noisyVariant } from "./noise";
import { DEFAULT_SIM_PARAMS, mergeSimParams, parseSimParamsJson, SimParamsError } from "./params";
import { Rng } from "./prng";
import { canonicalTopic, generateUniverse, itemKey, knownRanks, universeSizeFor } from "./universe";

describe("topic universe", () => {
  it("is deterministic from the topic string, ignoring case and spacing", () => {
    const a = generateUniverse("Famous Bridges", 500, 0.25);
    const b = generateUniverse("  famous   bridges ", 500, 0.25);
    expect(b.items).toEqual(a.items);
    expect(a.topic).toBe(canonicalTopic("famous bridges"));
  });

  it("differs between topics", () => {
    const a = generateUniverse("famous bridges", 300, 0);
    const b = generateUniverse("jazz albums", 300, 0);
    const shared = a.items.filter((x) => b.index.has(itemKey(x)));
    expect(shared.length).toBeLessThan(10);
  });

  it("has about universeSize items, within the jitter, all distinct after normalisation", () => {
    for (const topic of ["cheeses", "programming languages", "rivers of Asia", "x"]) {
      const size = universeSizeFor(topic, 2000, 0.25);
      expect(size).toBeGreaterThanOrEqual(1500);
      expect(size).toBeLessThanOrEqual(2500);
      const u = generateUniverse(topic, 2000, 0.25);
      expect(u.items).toHaveLength(size);
      expect(new Set(u.items.map(itemKey)).size).toBe(size);
    }
  });

  it("names look like names: title-cased words of letters", () => {
    const u = generateUniverse("famous bridges in Europe", 400, 0);
    for (const name of u.items) expect(name).toMatch(/^[A-Z][a-z]+(?:[ -][A-Z][a-zI]*)*$/);
    expect(u.items.some((n) => n.endsWith(" Bridge"))).toBe(true);
  });
});

describe("model knowledge", () => {
  const u = generateUniverse("cheeses", 2000, 0);

  it("covers exactly breadth x universe, favouring popular items", () => {
    const known = knownRanks(u, "sim-weak", 0.35, 0.5);
    expect(known.reduce((a, b) => a + b, 0)).toBe(700);
    const head = known.slice(0, 500).reduce((a, b) => a + b, 0);
    const tail = known.slice(1500).reduce((a, b) => a + b, 0);
    expect(head).toBeGreaterThan(tail * 1.5);
  });

  it("differs between models, so several models together know more", () => {
    const a = knownRanks(u, "sim-strong", 0.5, 0);
    const b = knownRanks(u, "sim-claude", 0.5, 0);
    let union = 0;
    for (let r = 0; r < a.length; r++) union += a[r] === 1 || b[r] === 1 ? 1 : 0;
    expect(union).toBeGreaterThan(1300);
  });
});

describe("surface noise", () => {
  const u = generateUniverse("famous bridges", 300, 0);

  it.each(NOISE_KINDS)("%s keeps the item recognisable by its key", (kind) => {
    const rng = new Rng(7);
    for (const item of u.items) {
      const variant = applyNoise(item, kind, rng);
      if (kind !== "plural" || variant !== item.toLowerCase()) expect(itemKey(variant), `${item} -> ${variant}`).toBe(itemKey(item));
    }
  });

  it("produces the documented shapes", () => {
    const rng = new Rng(3);
    const variants = Array.from({ length: 400 }, () => noisyVariant("Velmora Bridge", rng));
    for (const shape of [/^\*\*Velmora Bridge\*\*/, / - [a-z]/, /: [a-z]/, /^The /, /^velmora bridge$/, /Bridges/, /^VELMORA BRIDGE/]) {
      expect(
        variants.some((v) => shape.test(v)),
        String(shape),
      ).toBe(true);
    }
    for (const v of variants) expect(itemKey(v)).toBe(itemKey("Velmora Bridge"));
  });
});

describe("models and params", () => {
  it("implements exactly the simulated models of providers.ts, each priced", () => {
    expect(Object.keys(SIM_MODEL_PROFILES).sort()).toEqual(Object.keys(PROVIDERS.sim.models).sort());
    for (const id of SIM_MODEL_IDS) expect(SIM_MODEL_PRICES[id].outputUsdPerMTok).toBeGreaterThan(0);
    expect(simCallCostUsd("sim-strong", 1_000_000, 0)).toBeCloseTo(SIM_MODEL_PRICES["sim-strong"].inputUsdPerMTok);
  });

  it("ranks the models as the issue asks: weak knows ~35%, is fast, repeats and junks more", () => {
    const { "sim-strong": strong, "sim-weak": weak, "sim-claude": claude } = SIM_MODEL_PROFILES;
    expect(weak.breadth).toBeCloseTo(0.35);
    expect(strong.breadth).toBeGreaterThan(claude.breadth);
    expect(claude.breadth).toBeGreaterThan(weak.breadth);
    expect(weak.tokensPerSecond).toBeGreaterThan(strong.tokensPerSecond);
    expect(weak.junkRate).toBeGreaterThan(strong.junkRate);
    expect(weak.repeatRate).toBeGreaterThan(strong.repeatRate);
  });

  it("merges overrides per model and field", () => {
    const p = mergeSimParams(DEFAULT_SIM_PARAMS, { seed: 9 }, { models: { "sim-weak": { rpm: 3 } } });
    expect(p.seed).toBe(9);
    expect(p.models["sim-weak"].rpm).toBe(3);
    expect(p.models["sim-weak"].breadth).toBe(DEFAULT_SIM_PARAMS.models["sim-weak"].breadth);
    expect(DEFAULT_SIM_PARAMS.models["sim-weak"].rpm).not.toBe(3);
  });

  it.each([
    ['{"latencyScale": -1}', /latencyScale/],
    ['{"seeed": 1}', /seeed|Unrecognized/i],
    ['{"models": {"gpt-9": {}}}', /gpt-9|Unrecognized/i],
    ["not json", /not JSON/],
  ])("rejects a bad override %s", (json, message) => {
    expect(() => parseSimParamsJson(json)).toThrow(SimParamsError);
    expect(() => parseSimParamsJson(json)).toThrow(message);
  });
});
