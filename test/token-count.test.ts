import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { isoNameLists } from "../bench/lib/iso-names";
import { buildPrompt, KnownEntries, SYSTEM_PROMPT } from "../src/lib/prompt";
import { estimateTokens } from "../src/lib/token-count";

// Real names from Debian's iso-codes (regions, languages, currencies, country names in 20
// languages): data we did not write. The machine of these tests has the package.
const lists = isoNameLists();
const hasData = Object.keys(lists).length > 0;

describe("estimateTokens", () => {
  it("is at least the exact o200k count of the system prompt and of everyday text", () => {
    for (const text of [SYSTEM_PROMPT, "Birds of the world", "São Tomé and Príncipe", "東京都", "🦜 parrot"]) {
      expect(estimateTokens(text)).toBeGreaterThanOrEqual(countTokens(text));
    }
    expect(estimateTokens("")).toBe(0);
  });

  it.skipIf(!hasData)("never under-counts a block of 50 real names, in any of 20 languages", () => {
    for (const [name, names] of Object.entries(lists)) {
      for (let i = 0; i + 50 <= names.length; i += 50) {
        const block = names.slice(i, i + 50);
        const exact = block.reduce((s, n) => s + countTokens(n), 0);
        const estimate = block.reduce((s, n) => s + estimateTokens(n), 0);
        expect(estimate, `${name} block at ${i}`).toBeGreaterThanOrEqual(exact);
      }
    }
  });

  it.skipIf(!hasData)("keeps a prompt's known-entries list within its budget by the exact count", () => {
    for (const [name, names] of Object.entries(lists)) {
      const known = new KnownEntries();
      names.forEach((n, i) => known.add(i + 1, n));
      for (const budget of [100, 1_000, 4_000]) {
        const p = buildPrompt({ topic: name, requestSize: 100, known, budgetTokens: budget });
        const shown = (/<known_entries>\n([\s\S]*?)<\/known_entries>/.exec(p.user)?.[1] ?? "").split("\n").filter(Boolean);
        expect(shown.length, name).toBeGreaterThan(0);
        expect(
          shown.reduce((s, n) => s + countTokens(n) + 1, 0),
          `${name} at ${budget}`,
        ).toBeLessThanOrEqual(budget);
        expect(p.promptTokens).toBeGreaterThanOrEqual(countTokens(p.system) + countTokens(p.user));
      }
    }
  });
});
