import { describe, expect, it } from "vitest";
import { resolveJudge, startInputSchema } from "./run-config";

describe("resolveJudge", () => {
  const none = { openai: false, anthropic: false };
  it("is on by default with a real provider's key, off with only the simulator", () => {
    expect(resolveJudge(undefined, { openai: true, anthropic: false })).toEqual({ enabled: true, provider: "openai", model: "gpt-4o-mini" });
    expect(resolveJudge(undefined, { openai: false, anthropic: true })).toEqual({ enabled: true, provider: "anthropic", model: "claude-3-5-haiku-latest" });
    expect(resolveJudge(undefined, none)).toEqual({ enabled: false, provider: "sim", model: "sim-strong" });
    expect(resolveJudge({ enabled: true }, none)).toEqual({ enabled: true, provider: "sim", model: "sim-strong" });
  });

  it("takes the input's provider and model over IGENTAI_JUDGE_MODEL's default", () => {
    const fallback = { provider: "openai" as const, model: "gpt-4.1-nano" };
    expect(resolveJudge(undefined, { openai: true, anthropic: false }, fallback)).toMatchObject({ provider: "openai", model: "gpt-4.1-nano", enabled: true });
    expect(resolveJudge({ provider: "anthropic" }, { openai: true, anthropic: true }, fallback)).toMatchObject({
      provider: "anthropic",
      model: "claude-3-5-haiku-latest",
    });
    expect(resolveJudge({ enabled: false }, { openai: true, anthropic: false })).toMatchObject({ enabled: false });
  });

  it("refuses an unknown simulated judge model and unknown fields", () => {
    expect(startInputSchema.safeParse({ topic: "birds", judge: { provider: "sim", model: "sim-huge" } }).error?.issues[0]?.path).toEqual(["judge", "model"]);
    expect(startInputSchema.safeParse({ topic: "birds", judge: { enabled: true, extra: 1 } }).success).toBe(false);
  });
});
