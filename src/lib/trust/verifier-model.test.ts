import { describe, expect, it } from "vitest";
import { Rng } from "../sim/prng";
import { kindOf, VerifierModel, type Observed } from "./verifier-model";
import type { Opinion } from "./verify-prompt";

// Two verifiers with known rates (yes, no, unsure) on real and invented entries, three kinds of entries.
const RATES: Record<string, { real: number[]; invented: number[] }> = {
  sharp: { real: [0.9, 0.05, 0.05], invented: [0.05, 0.9, 0.05] },
  // Says "unsure" about what it does not know, real or not: its unsure carries nothing.
  vague: { real: [0.5, 0.1, 0.4], invented: [0.1, 0.5, 0.4] },
};
const SHARE: Record<string, number> = { "m|1": 0.7, "m|2": 0.2, several: 0.01 };

function answer(rng: Rng, p: number[]): Opinion {
  const u = rng.next();
  return u < p[0]! ? "yes" : u < p[0]! + p[1]! ? "no" : "unsure";
}

function sample(n: number): Array<Observed & { invented: boolean }> {
  const rng = Rng.from("verifier-model");
  const out: Array<Observed & { invented: boolean }> = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.pick(Object.keys(SHARE));
    const invented = rng.next() < SHARE[kind]!;
    const asked = ["sharp", "vague"].filter(() => rng.next() < 0.8);
    if (asked.length === 0) asked.push("vague");
    const opinions = asked.map((v) => answer(rng, invented ? RATES[v]!.invented : RATES[v]!.real));
    out.push({ kind, anchor: kind === "several", asked, opinions, invented });
  }
  return out;
}

describe("VerifierModel (Dawid-Skene)", () => {
  it("learns each kind's share of inventions and each verifier's worth from opinions alone", () => {
    const entries = sample(6_000);
    const m = new VerifierModel();
    m.fit(entries);
    expect(m.inventedShare("m|1")).toBeGreaterThan(0.6);
    expect(m.inventedShare("m|1")).toBeLessThan(0.8);
    expect(m.inventedShare("m|2")).toBeLessThan(0.3);
    expect(m.discrimination("sharp")!).toBeGreaterThan(0.75);
    expect(m.discrimination("vague")!).toBeLessThan(0.5);
    // Its posteriors sort real from invented: few wrong at the thresholds the policy uses.
    const sure = entries.filter((e) => m.pInvented(e) >= 0.97);
    expect(sure.filter((e) => !e.invented).length / sure.length).toBeLessThan(0.03);
    const real = entries.filter((e) => m.pInvented(e) <= 0.02);
    expect(real.filter((e) => e.invented).length / real.length).toBeLessThan(0.02);
  });

  it("weighs an unsure as what it means in the run: nothing from a verifier that says it of both", () => {
    const m = new VerifierModel();
    m.fit(sample(6_000));
    const base = m.pInvented({ kind: "m|2", anchor: false, asked: [], opinions: [] });
    const unsure = m.pInvented({ kind: "m|2", anchor: false, asked: ["vague"], opinions: ["unsure"] });
    expect(Math.abs(unsure - base)).toBeLessThan(0.05);
    expect(m.pInvented({ kind: "m|2", anchor: false, asked: ["sharp"], opinions: ["no"] })).toBeGreaterThan(0.7);
  });

  it("rejects off-topic at once, knows nothing of a verifier before it was fitted, and keys kinds by support", () => {
    const m = new VerifierModel();
    expect(m.pInvented({ kind: "x", anchor: true, asked: ["a", "b"], opinions: ["yes", "off"] })).toBe(1);
    expect(m.discrimination("sharp")).toBeNull();
    expect(kindOf(["sim:a", "sim:b"], 2)).toBe("several");
    expect(kindOf(["sim:a"], 7)).toBe("sim:a|3");
    expect(kindOf(["sim:a"], 0)).toBe("sim:a|1");
    // An entry from an answer that mostly repeated its list is a kind apart, while one call proposed it.
    expect(kindOf(["sim:a"], 1, true)).toBe("sim:a|1r");
    expect(kindOf(["sim:a"], 2, true)).toBe("sim:a|2");
    expect(kindOf(["sim:a", "sim:b"], 1, true)).toBe("several");
  });

  it("keeps the invented class meaning an invention when a run has almost none (a large real topic's start)", () => {
    // Real entries only: several models' ones known to the verifiers, single-model ones mostly not.
    const rng = Rng.from("all real");
    const entries: Observed[] = [];
    for (let i = 0; i < 4_000; i++) {
      const several = rng.next() < 0.6;
      const p = !several && rng.next() < 0.6 ? [0.55, 0.15, 0.3] : [0.92, 0.03, 0.05];
      const asked = several ? ["a"] : ["a", "b"];
      entries.push({ kind: several ? "several" : "m|1", anchor: several, asked, opinions: asked.map(() => answer(rng, p)) });
    }
    const m = new VerifierModel();
    m.fit(entries);
    // Without the refit EM gives the class to real long-tail names: "yes" 0.38 and 0.48, a share of 0.16.
    for (const v of ["a", "b"]) expect(m.describe()[v]!.invented[0]).toBeLessThan(0.36);
    expect(m.inventedShare("m|1")).toBeLessThan(0.12);
  });
});
