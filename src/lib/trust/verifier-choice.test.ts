import { describe, expect, it } from "vitest";
import { InventionRates, BASE_RATE_MIN } from "./base-rate";
import { batchesByVerifier } from "./verifier-choice";

const INFORMED = ["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"];
const CHEAPEST = ["sim:sim-weak", "sim:sim-strong", "sim:sim-claude"];

describe("who verifies", () => {
  it("sends an unsupported entry to the best-informed other model, a supported one to the cheapest, a proposer included", () => {
    const items = [
      { text: "Ibaford Castle", asked: [] as string[], models: ["sim:sim-weak"], calls: 1 },
      { text: "Castle of the strong", asked: [], models: ["sim:sim-strong"], calls: 1 },
      { text: "Bodiam Castle", asked: [], models: ["sim:sim-weak", "sim:sim-strong"], calls: 2 },
      { text: "Pizza", asked: [], models: INFORMED, calls: 9 },
      { text: "Asked once", asked: ["sim:sim-strong"], models: ["sim:sim-weak"], calls: 1 },
      { text: "Three calls of one model", asked: [], models: ["sim:sim-claude"], calls: 3 },
    ];
    const groups = batchesByVerifier(items, (i) => i, INFORMED, CHEAPEST);
    const by = (label: string) => (groups.get(label) ?? []).map((i) => i.text);
    expect([...groups.keys()]).toEqual(["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"]);
    expect(by("sim:sim-strong")).toEqual(["Ibaford Castle"]);
    expect(by("sim:sim-claude")).toEqual(["Castle of the strong", "Asked once"]);
    expect(by("sim:sim-weak")).toEqual(["Bodiam Castle", "Pizza", "Three calls of one model"]);
  });
});

describe("a model's base rate of inventions", () => {
  it("is inventing once most of its recent single-model verdicts are rejections, after enough of them, per model", () => {
    const r = new InventionRates();
    for (let i = 0; i < BASE_RATE_MIN - 1; i++) r.note("sim:sim-weak", true);
    expect(r.inventing("sim:sim-weak")).toBe(false);
    r.note("sim:sim-weak", true);
    expect(r.inventing("sim:sim-weak")).toBe(true);
    for (let i = 0; i < 40; i++) r.note("sim:sim-strong", i % 3 === 0);
    expect(r.inventing("sim:sim-strong")).toBe(false);
    // Recent verdicts that keep entries age the rejections out of the window.
    for (let i = 0; i < 100; i++) r.note("sim:sim-weak", false);
    expect(r.inventing("sim:sim-weak")).toBe(false);
  });
});
