import { describe, expect, it } from "vitest";
import { defaultProviders, requestPricedCostUsd, resolveRunConfig, startInputSchema, unpricedTargetIssue } from "./run-config";

describe("startInputSchema", () => {
  it("cleans the topic and accepts defaults", () => {
    const parsed = startInputSchema.parse({ topic: "  Paris \n attractions " });
    expect(parsed.topic).toBe("Paris attractions");
  });

  it.each([
    [{ topic: "" }, "topic"],
    [{ topic: "x".repeat(201) }, "topic"],
    [{ topic: "ok topic", producers: 0 }, "producers"],
    [{ topic: "ok topic", producers: 21 }, "producers"],
    [{ topic: "ok topic", providers: [{ provider: "nope", model: "x" }] }, "providers"],
    [{ topic: "ok topic", providers: [{ provider: "openai", model: "bad model!" }] }, "providers"],
    [{ topic: "ok topic", requestSize: 1000 }, "requestSize"],
    [{ topic: "ok topic", concurrency: 0 }, "concurrency"],
    [{ topic: "ok topic", concurrency: 33 }, "concurrency"],
    [{ topic: "ok topic", concurrency: 2.5 }, "concurrency"],
  ])("rejects %j at the field that is wrong", (input, field) => {
    const r = startInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path[0]).toBe(field);
  });
});

describe("defaults", () => {
  it("uses the simulator when no key is set, real providers otherwise", () => {
    expect(defaultProviders({ openai: false, anthropic: false }).every((p) => p.provider === "sim")).toBe(true);
    expect(defaultProviders({ openai: true, anthropic: false }).map((p) => p.provider)).toEqual(["openai"]);
  });

  it("fills a run config from defaults", () => {
    const cfg = resolveRunConfig(startInputSchema.parse({ topic: "enzymes" }), { producers: 5, keys: { openai: false, anthropic: false } });
    expect(cfg).toMatchObject({ topic: "enzymes", producers: 5, requestSize: 100, promptBudgetTokens: 2000, concurrency: 1, strategy: "adaptive" });
    expect(
      resolveRunConfig(startInputSchema.parse({ topic: "enzymes", concurrency: 10 }), { producers: 5, keys: { openai: false, anthropic: false } }).concurrency,
    ).toBe(10);
  });
});

describe("models a run may use", () => {
  const table = (provider: string, model: string) =>
    `${provider}:${model}` === "openai:gpt-4o-mini" ? { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 } : null;
  const targets = (providers: unknown[]) => startInputSchema.parse({ topic: "birds", providers }).providers!;

  it.each([
    [{ provider: "sim", model: "sim-gpt-9" }, "providers.0.model"],
    [{ provider: "openai", model: "../../etc/passwd" }, "providers.0.model"],
    [{ provider: "openai", model: "/abs" }, "providers.0.model"],
    [{ provider: "openai", model: "a//b" }, "providers.0.model"],
    [{ provider: "openai", model: "x", price: { inputUsdPerMTok: -1, outputUsdPerMTok: 1 } }, "providers.0.price.inputUsdPerMTok"],
  ])("refuses %j naming %s", (target, field) => {
    const r = startInputSchema.safeParse({ topic: "birds", providers: [target] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain(field);
  });

  it.each([["sim-strong"], ["sim-weak"], ["sim-claude"]])("accepts the simulator's %s", (model) => {
    expect(startInputSchema.safeParse({ topic: "birds", providers: [{ provider: "sim", model }] }).success).toBe(true);
  });

  it("accepts names with a vendor prefix", () => {
    expect(startInputSchema.safeParse({ topic: "birds", providers: [{ provider: "openai", model: "meta-llama/Llama-3.1-70B" }] }).success).toBe(true);
  });

  it("refuses a real model without a price unless one is given or it is explicitly allowed", () => {
    expect(
      unpricedTargetIssue(
        targets([
          { provider: "openai", model: "gpt-4o-mini" },
          { provider: "sim", model: "sim-weak" },
        ]),
        table,
      ),
    ).toBeNull();
    expect(
      unpricedTargetIssue(
        targets([
          { provider: "sim", model: "sim-weak" },
          { provider: "openai", model: "llama3" },
        ]),
        table,
      ),
    ).toMatch(/^providers\.1\.model: no price is known for openai:llama3/);
    expect(unpricedTargetIssue(targets([{ provider: "openai", model: "llama3", allowUnpriced: true }]), table)).toBeNull();
    expect(unpricedTargetIssue(targets([{ provider: "openai", model: "llama3", price: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } }]), table)).toBeNull();
  });

  it("costs calls of a model at the price its start request gave", () => {
    const providers = targets([{ provider: "openai", model: "llama3", price: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } }]);
    expect(requestPricedCostUsd({ providers }, { provider: "openai", model: "llama3", promptTokens: 1_000_000, completionTokens: 500_000 })).toBe(2);
    expect(requestPricedCostUsd({ providers }, { provider: "openai", model: "gpt-4o-mini", promptTokens: 1, completionTokens: 1 })).toBeNull();
  });
});
