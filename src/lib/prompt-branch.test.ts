import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { readRequest } from "./sim/prompt";
import { buildBranchPrompt, buildBreakdownPrompt, parseBreakdownAnswer, selectBranchEntries } from "./prompt-branch";

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} entry ${i + 1}`);

describe("breakdown prompt", () => {
  it("names the root topic, the branch's full path and the existing subtopics, and the simulator reads it as a breakdown", () => {
    const p = buildBreakdownPrompt({ topic: "Birds", path: ["Seabirds", "Gulls"], existing: ["Arctic gulls", "Tropical gulls"], count: 6 });
    expect(p.user).toContain("Birds > Seabirds > Gulls");
    const r = readRequest([p.system, p.user]);
    expect(r).toEqual({ kind: "breakdown", topic: "Birds", path: ["Seabirds", "Gulls"], existing: ["Arctic gulls", "Tropical gulls"], count: 6 });
    expect(p.promptTokens).toBeGreaterThan(countTokens(p.user));
  });

  it.each([
    {
      name: "a numbered list with a preamble",
      text: "Here are 3 narrower subtopics:\n\n1. Arctic gulls\n2. Tropical gulls\n3. Inland gulls",
      labels: ["Arctic gulls", "Tropical gulls", "Inland gulls"],
    },
    {
      name: "bullets, bold and descriptions",
      text: "- **Arctic gulls** - gulls of the far north\n* Tropical gulls: warm seas",
      labels: ["Arctic gulls", "Tropical gulls"],
    },
    { name: "exact repeats once", text: "Arctic gulls\narctic gulls\nInland gulls", labels: ["Arctic gulls", "Inland gulls"] },
    { name: "a truncated last line is dropped", text: "Arctic gulls\nTropical gu", labels: ["Arctic gulls"], truncated: true },
  ])("parses $name", ({ text, labels, truncated }) => {
    expect(parseBreakdownAnswer(text, { truncated: truncated ?? false })).toEqual(labels);
  });
});

describe("branch item prompt", () => {
  it("names the root topic and the branch's path; the simulator reads the path", () => {
    const p = buildBranchPrompt({
      topic: "Birds",
      path: ["Seabirds", "Gulls"],
      requestSize: 30,
      known: { own: ["Herring gull"], related: ["Robin"], totalKnown: 2 },
      budgetTokens: 500,
    });
    expect(p.user).toContain("Birds > Seabirds > Gulls");
    const r = readRequest([p.system, p.user]);
    expect(r.kind).toBe("items");
    if (r.kind !== "items") return;
    expect(r.path).toEqual(["Seabirds", "Gulls"]);
    expect(r.prompt).toMatchObject({ topic: "Birds", knownEntries: ["Herring gull", "Robin"], requestSize: 30 });
    expect(r.lessObvious).toBe(false);
  });

  it("asks for less obvious members in that variant, recognisably", () => {
    const p = buildBranchPrompt({
      topic: "Birds",
      path: [],
      requestSize: 30,
      known: { own: [], related: [], totalKnown: 0 },
      budgetTokens: 500,
      lessObvious: true,
    });
    const r = readRequest([p.user]);
    expect(r.kind === "items" && r.lessObvious).toBe(true);
  });

  it.each([
    { name: "own entries first, within their share, then related ones", own: 400, related: 400, budget: 1_000, ownShare: 0.6, relatedShare: 0.4 },
    { name: "a narrow branch with few entries gets a short prompt", own: 10, related: 400, budget: 2_000, ownShare: 0.6, relatedShare: 0.4 },
    { name: "unused related share goes back to own entries", own: 400, related: 5, budget: 1_000, ownShare: 0.5, relatedShare: 0.5 },
  ])("selects $name", ({ own, related, budget, ownShare, relatedShare }) => {
    const known = { own: names("own", own), related: names("related", related), totalKnown: own + related };
    const s = selectBranchEntries(known, budget, ownShare, relatedShare);
    expect(s.tokens).toBeLessThanOrEqual(budget);
    const ownShown = s.texts.filter((t) => t.startsWith("own")).length;
    const relatedShown = s.texts.length - ownShown;
    // The most telling own entries come first, in order.
    expect(s.texts.slice(0, Math.min(ownShown, 5))).toEqual(known.own.slice(0, Math.min(ownShown, 5)));
    if (own === 10) {
      expect(ownShown).toBe(10);
      expect(s.tokens).toBeLessThanOrEqual(budget * (ownShare + relatedShare) * 0.5 + 200);
    }
    if (related === 5) expect(relatedShown).toBe(5);
    if (own === 400 && related === 400) {
      expect(ownShown).toBeGreaterThan(relatedShown);
      expect(relatedShown).toBeGreaterThan(0);
    }
  });
});
