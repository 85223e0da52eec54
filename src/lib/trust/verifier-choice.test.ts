import { describe, expect, it } from "vitest";
import { batchesByVerifier, byValue, sortForService, verifierOf } from "./verifier-choice";

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
    const groups = batchesByVerifier(items, (i) => verifierOf(i, i.asked, INFORMED, CHEAPEST));
    const by = (label: string) => (groups.get(label) ?? []).map((i) => i.text);
    expect([...groups.keys()]).toEqual(["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"]);
    expect(by("sim:sim-strong")).toEqual(["Ibaford Castle"]);
    expect(by("sim:sim-claude")).toEqual(["Castle of the strong", "Asked once"]);
    expect(by("sim:sim-weak")).toEqual(["Bodiam Castle", "Pizza", "Three calls of one model"]);
  });
});

describe("verifiers by value", () => {
  const price: Record<string, number> = { "sim:sim-strong": 4, "sim:sim-claude": 10, "sim:sim-weak": 1 };
  it("keeps the best-informed order until every verifier's discrimination is learnt", () => {
    expect(
      byValue(
        INFORMED,
        (l) => (l === "sim:sim-weak" ? null : 0.8),
        (l) => price[l]!,
      ),
    ).toEqual(INFORMED);
  });
  it("then asks by discrimination per dollar: a cheap model nearly as discerning goes first, a useless one last", () => {
    const d: Record<string, number> = { "sim:sim-strong": 0.8, "sim:sim-claude": 0.85, "sim:sim-weak": 0.5 };
    expect(
      byValue(
        INFORMED,
        (l) => d[l]!,
        (l) => price[l]!,
      ),
    ).toEqual(["sim:sim-weak", "sim:sim-strong", "sim:sim-claude"]);
    d["sim:sim-weak"] = 0.01;
    expect(
      byValue(
        INFORMED,
        (l) => d[l]!,
        (l) => price[l]!,
      ),
    ).toEqual(["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"]);
  });

  it("serves entries due another opinion first, then new ones by value (oldest first within one), on-topic checks last", () => {
    const e = (text: string, readyAt: number, value: number, opinions: string[] = [], onTopicCheck?: string) => ({
      text,
      readyAt,
      value,
      opinions,
      onTopicCheck,
    });
    const ready = [
      e("old, cheap to doubt", 1, 1),
      e("on-topic check", 0, 99, ["yes"], "verified"),
      e("new, likely invented", 5, 9),
      e("half decided", 9, 0, ["unsure"]),
      e("older, likely invented", 2, 9),
    ];
    sortForService(ready, (i) => i.value);
    expect(ready.map((i) => i.text)).toEqual(["half decided", "older, likely invented", "new, likely invented", "old, cheap to doubt", "on-topic check"]);
  });
});
