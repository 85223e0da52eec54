import { describe, expect, it } from "vitest";
import { SupportBook } from "./support";

describe("support per entry", () => {
  it("counts distinct calls, producers and models, re-proposals included", () => {
    const b = new SupportBook();
    expect(b.propose("Huravi Castle", { callId: "c1", producer: "p1", model: "sim:sim-strong" })).toBe(true);
    expect(b.propose("Huravi Castle", { callId: "c1", producer: "p1", model: "sim:sim-strong" })).toBe(false); // same call again
    b.propose("Huravi Castle", { callId: "c2", producer: "p1", model: "sim:sim-strong" });
    b.propose("Huravi Castle", { callId: "c3", producer: "p2", model: "sim:sim-weak" });
    b.propose("Huravi Castle", { callId: undefined, producer: "p2", model: "sim:sim-weak" });
    expect(b.get("Huravi Castle")).toEqual({
      calls: 4,
      producers: 2,
      models: 2,
      producerList: ["p1", "p2"],
      modelList: ["sim:sim-strong", "sim:sim-weak"],
    });
    expect(b.get("Nowhere")).toBeUndefined();
  });

  it("a merged entry's proposals count for the one it was merged into; a stored support loads back", () => {
    const b = new SupportBook();
    b.propose("Huravi Castle", { callId: "c1", producer: "p1", model: "a" });
    b.propose("Huravi Castel", { callId: "c2", producer: "p2", model: "b" });
    b.merge("Huravi Castel", "Huravi Castle");
    expect(b.get("Huravi Castle")).toMatchObject({ calls: 2, producers: 2, models: 2 });
    expect(b.get("Huravi Castel")).toBeUndefined();
    b.load("Stored", { calls: 3, producerList: ["p4"], modelList: ["a", "c"] });
    expect(b.modelsOf("Stored")).toEqual(["a", "c"]);
    b.propose("Stored", { callId: "c9", producer: "p4", model: "a" });
    expect(b.get("Stored")).toMatchObject({ calls: 4, producers: 1, models: 2 });
  });

  it("remembers that a repeating answer introduced an entry, renamed since included", () => {
    const b = new SupportBook();
    b.propose("Huravi Castle", { callId: "c1", producer: "p1", model: "a" });
    b.propose("Oder", { callId: "c2", producer: "p1", model: "a" });
    b.propose("Elbe", { callId: "c1", producer: "p1", model: "a" });
    b.propose("Oder", { callId: "c1", producer: "p1", model: "a" }); // a re-proposal: c2 introduced it
    // c1 repeated 6 of its 10 items from its prompt's list; c2 none.
    // Renamed to its display form before its call's record arrived.
    b.rename("Huravi Castle", "The Huravi Castle");
    b.answered({ callId: "c1", itemsParsed: 10, itemsShown: 6 });
    b.answered({ callId: "c2", itemsParsed: 10, itemsShown: 0 });
    b.answered({ callId: "unknown", itemsParsed: 10, itemsShown: 10 });
    expect(["The Huravi Castle", "Elbe", "Oder"].map((t) => b.fromRepeatingAnswer(t))).toEqual([true, true, false]);
  });

  it("a prompt for a model leaves out the entries only another model proposed, until it proposes them too", () => {
    const b = new SupportBook();
    b.propose("Elbe", { callId: "c1", producer: "p1", model: "a" });
    b.propose("Oder", { callId: "c1", producer: "p1", model: "a" });
    b.propose("Oder", { callId: "c2", producer: "p2", model: "b" });
    b.propose("Rhine", { callId: "c2", producer: "p2", model: "b" });
    const texts = ["Elbe", "Oder", "Rhine", "Not an entry"];
    expect(texts.filter(b.shownTo("a"))).toEqual(["Elbe", "Oder", "Not an entry"]);
    expect(texts.filter(b.shownTo("c"))).toEqual(["Oder", "Not an entry"]);
    b.propose("Elbe", { callId: "c3", producer: "p3", model: "c" });
    // Two models proposed it now: listed for every model.
    expect(texts.filter(b.shownTo("b"))).toEqual(texts);
  });
});
