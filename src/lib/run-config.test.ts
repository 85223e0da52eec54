import { describe, expect, it } from "vitest";
import { assignTargets, defaultProviders, resolveRunConfig, startInputSchema } from "./run-config";

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
    expect(resolveRunConfig(startInputSchema.parse({ topic: "enzymes", concurrency: 10 }), { producers: 5, keys: { openai: false, anthropic: false } }).concurrency).toBe(10);
  });
});

describe("assignTargets", () => {
  it("spreads producers by weight and interleaves them", () => {
    const a = { id: "a", weight: 3 };
    const b = { id: "b", weight: 1 };
    expect(assignTargets([a, b], 4).map((t) => t.id)).toEqual(["a", "b", "a", "a"]);
  });

  it("treats missing weights as equal", () => {
    const out = assignTargets<{ id: string; weight?: number }>([{ id: "a" }, { id: "b" }, { id: "c" }], 5).map((t) => t.id);
    expect(out.slice(0, 3)).toEqual(["a", "b", "c"]);
    expect(out).toHaveLength(5);
  });
});
