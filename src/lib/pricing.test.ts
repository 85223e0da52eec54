import { describe, expect, it } from "vitest";
import { callCostUsd, createPriceTable, parsePriceOverrides, priceOf, PriceConfigError } from "./pricing";
import { SIM_MODEL_PRICES } from "./sim/models";

describe("pricing", () => {
  const table = createPriceTable();

  it("prices real models, their dated snapshots and aliases", () => {
    expect(priceOf(table, "openai", "gpt-4o-mini")).toEqual({ inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 });
    expect(priceOf(table, "openai", "gpt-4o-mini-2024-07-18")?.inputUsdPerMTok).toBe(0.15);
    expect(priceOf(table, "openai", "gpt-4o-2024-08-06")?.inputUsdPerMTok).toBe(2.5);
    expect(priceOf(table, "anthropic", "claude-3-5-haiku-latest")?.outputUsdPerMTok).toBe(4);
  });

  it("prices the simulated models from the simulator's table", () => {
    expect(priceOf(table, "sim", "sim-strong")).toEqual(SIM_MODEL_PRICES["sim-strong"]);
    expect(priceOf(table, "sim", "sim-claude")).toEqual(SIM_MODEL_PRICES["sim-claude"]);
  });

  it("reports an unknown model's cost as unknown, not zero", () => {
    expect(priceOf(table, "openai", "llama3.1:8b")).toBeNull();
    expect(callCostUsd(table, { provider: "openai", model: "llama3.1:8b", promptTokens: 10, completionTokens: 10 })).toBeNull();
  });

  it("computes a call's cost from prompt and completion tokens", () => {
    const cost = callCostUsd(table, { provider: "openai", model: "gpt-4o-mini", promptTokens: 1_000_000, completionTokens: 500_000 });
    expect(cost).toBeCloseTo(0.15 + 0.3, 10);
  });

  it("lets IGENTAI_PRICES override and extend the defaults in three notations", () => {
    const overrides = parsePriceOverrides(
      JSON.stringify({
        "openai:gpt-4o-mini": { input: 1, output: 2 },
        "openai:llama3.1:8b": [0, 0],
        "anthropic:claude-x": { inputUsdPerMTok: 3, outputUsdPerMTok: 4 },
      }),
    );
    const t = createPriceTable(overrides);
    expect(priceOf(t, "openai", "gpt-4o-mini")).toEqual({ inputUsdPerMTok: 1, outputUsdPerMTok: 2 });
    expect(priceOf(t, "openai", "llama3.1:8b")).toEqual({ inputUsdPerMTok: 0, outputUsdPerMTok: 0 });
    expect(priceOf(t, "anthropic", "claude-x")?.outputUsdPerMTok).toBe(4);
    expect(parsePriceOverrides(undefined)).toEqual({});
    expect(parsePriceOverrides("  ")).toEqual({});
  });

  it.each([
    ["not JSON", "{oops", /not valid JSON/],
    ["a key without provider", JSON.stringify({ "gpt-4o": [1, 2] }), /provider:model/],
    ["a negative price", JSON.stringify({ "openai:gpt-4o": [-1, 2] }), /IGENTAI_PRICES/],
    ["a price with a typo", JSON.stringify({ "openai:gpt-4o": { inptu: 1, output: 2 } }), /IGENTAI_PRICES/],
  ])("rejects IGENTAI_PRICES with %s", (_name, json, message) => {
    expect(() => parsePriceOverrides(json)).toThrow(PriceConfigError);
    expect(() => parsePriceOverrides(json)).toThrow(message);
  });
});

describe("price lookup by snapshot suffix", () => {
  it("gives dated snapshots and -latest aliases their model's price, and other models none", () => {
    const table = createPriceTable({ "openai:gpt-5": { inputUsdPerMTok: 1.25, outputUsdPerMTok: 10 } });
    expect(priceOf(table, "openai", "gpt-5-2025-08-07")).toEqual({ inputUsdPerMTok: 1.25, outputUsdPerMTok: 10 });
    expect(priceOf(table, "anthropic", "claude-3-5-haiku-latest")).not.toBeNull();
    expect(priceOf(table, "openai", "gpt-5-pro")).toBeNull();
  });
});
