import { describe, expect, it } from "vitest";
import { Rng } from "../sim/prng";
import { DEFAULT_VERIFIER_RATES, simOpinion, type Truth } from "../sim/verify";
import { decide, nextVerifier, type TrustVerdict } from "./policy";
import type { Opinion } from "./verify-prompt";

describe("decide", () => {
  const cases: Array<[string, number, number, Opinion[], TrustVerdict | null]> = [
    ["nothing asked yet", 1, 1, [], null],
    ["one model, one yes: ask again", 1, 1, ["yes"], null],
    ["one model, two yes", 1, 1, ["yes", "yes"], "verified"],
    ["two models and one yes", 2, 2, ["yes"], "verified"],
    ["one model in three calls and one yes (support across samples)", 1, 3, ["yes"], "verified"],
    ["one model in two calls is not support yet", 1, 2, ["yes"], null],
    ["one model, one no: ask again", 1, 1, ["no"], null],
    ["one model, two no", 1, 1, ["no", "no"], "rejected"],
    ["off-topic, one model: rejected at once (the on-topic guard)", 1, 1, ["off"], "rejected"],
    ["off-topic with support from several models: one off is enough", 3, 5, ["off"], "rejected"],
    ["yes, no, yes", 1, 1, ["yes", "no", "yes"], "verified"],
    ["yes, no, no", 1, 1, ["yes", "no", "no"], "rejected"],
    ["unsupported, a tie after three opinions is rejected (never confirmed)", 1, 1, ["yes", "no", "unsure"], "rejected"],
    ["unsupported, three unsure: rejected", 1, 1, ["unsure", "unsure", "unsure"], "rejected"],
    ["several models, a tie after three opinions stays unsure", 2, 2, ["no", "unsure", "unsure"], "unsure"],
    ["one model in three calls, never confirmed: rejected", 1, 3, ["no", "unsure", "unsure"], "rejected"],
    ["two models, no then unsure then no", 2, 2, ["no", "unsure", "no"], "unsure"],
    ["two models, three no", 2, 2, ["no", "no", "no"], "rejected"],
  ];
  for (const [name, models, calls, opinions, want] of cases) it(name, () => expect(decide({ models, calls, opinions })).toBe(want));

  it("once the run's models are inventing, a single-model entry starts one point down", () => {
    const inventing = true;
    expect(decide({ models: 1, calls: 1, opinions: ["no"], inventing })).toBe("rejected");
    expect(decide({ models: 1, calls: 1, opinions: ["yes", "yes"], inventing })).toBeNull();
    expect(decide({ models: 1, calls: 1, opinions: ["yes", "yes", "yes"], inventing })).toBe("verified");
    expect(decide({ models: 1, calls: 1, opinions: ["yes", "unsure", "yes"], inventing })).toBe("verified");
    expect(decide({ models: 1, calls: 1, opinions: ["yes", "no", "yes"], inventing })).toBe("rejected");
    // Proposed in two calls: no such prior (a real long-tail name recurs; an invention rarely).
    expect(decide({ models: 1, calls: 2, opinions: ["yes", "yes"], inventing })).toBe("verified");
    // Support is support: several models, one yes.
    expect(decide({ models: 2, calls: 2, opinions: ["yes"], inventing })).toBe("verified");
  });
});

describe("nextVerifier", () => {
  it("picks a model that did not propose the entry when there is one, prefers a model not asked yet, then repeats one", () => {
    const all = ["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"];
    expect(nextVerifier(all, ["sim:sim-strong"], [])).toBe("sim:sim-claude");
    expect(nextVerifier(all, ["sim:sim-strong"], ["sim:sim-claude"])).toBe("sim:sim-weak");
    expect(nextVerifier(all, ["sim:sim-strong"], ["sim:sim-claude", "sim:sim-weak"])).toBe("sim:sim-claude");
    // Every model proposed it: one of them still checks it (the on-topic guard).
    expect(nextVerifier(["sim:sim-strong"], ["sim:sim-strong"], [])).toBe("sim:sim-strong");
    expect(nextVerifier(all, all, ["sim:sim-strong"])).toBe("sim:sim-claude");
    expect(nextVerifier([], ["sim:sim-strong"], [])).toBeNull();
  });
});

describe("combining support, verification and a second opinion", () => {
  // The policy against the simulated verifier's documented error rates: what reaches
  // output.txt (verified or unsure) of each kind of entry proposed by a single model.
  const kept = (truth: Truth, knows: boolean, models: number, calls = 1) => {
    const rng = Rng.from("policy", truth.kind, String(knows), models);
    let n = 0;
    const trials = 20_000;
    for (let i = 0; i < trials; i++) {
      const opinions: Opinion[] = [];
      let v: TrustVerdict | null = null;
      while (v === null) {
        opinions.push(simOpinion(truth, () => knows, 1000, DEFAULT_VERIFIER_RATES, rng));
        v = decide({ models, calls, opinions });
      }
      if (v !== "rejected") n++;
    }
    return n / trials;
  };

  it("keeps few inventions and off-topic lines, and almost every real entry a verifier knows", () => {
    expect(kept({ kind: "invented" }, false, 1)).toBeLessThan(0.025);
    expect(kept({ kind: "invented" }, false, 1, 3)).toBeLessThan(0.12);
    expect(kept({ kind: "off-topic" }, false, 1)).toBeLessThan(0.02);
    expect(kept({ kind: "off-topic" }, false, 3)).toBeLessThan(0.01);
    expect(kept({ kind: "real", rank: 900 }, true, 1)).toBeGreaterThan(0.975);
    expect(kept({ kind: "real", rank: 100 }, true, 2)).toBeGreaterThan(0.99);
    // A real long-tail name no verifier knows is where verification costs recall: support helps.
    expect(kept({ kind: "real", rank: 900 }, false, 1)).toBeGreaterThan(0.6);
    expect(kept({ kind: "real", rank: 900 }, false, 1, 3)).toBeGreaterThan(0.85);
    expect(kept({ kind: "real", rank: 900 }, false, 2)).toBeGreaterThan(0.99);
  });
});
