import { describe, expect, it } from "vitest";
import { defaultMix, formErrorsFromApi, initialFormState, mixRow, mixRowErrors, numberField, suspectStopFields, toStartInput, type ProviderOption } from "./topic-form";

const SIM: ProviderOption[] = [
  { provider: "sim", model: "sim-strong", label: "Simulator: strong", simulated: true, available: true },
  { provider: "sim", model: "sim-weak", label: "Simulator: weak", simulated: true, available: true },
];
const OPENAI: ProviderOption = { provider: "openai", model: "gpt-4o-mini", label: "OpenAI gpt-4o-mini", simulated: false, available: true };
const ANTHROPIC_NO_KEY: ProviderOption = { provider: "anthropic", model: "claude-3-5-haiku-latest", label: "Claude", simulated: false, available: false };

describe("default provider mix", () => {
  it("offers the real providers with a key when there are any", () => {
    expect(defaultMix([...SIM, OPENAI, ANTHROPIC_NO_KEY]).map((r) => r.model)).toEqual(["gpt-4o-mini"]);
  });
  it("falls back to the simulator without keys", () => {
    expect(defaultMix([...SIM, ANTHROPIC_NO_KEY]).map((r) => r.model)).toEqual(["sim-strong", "sim-weak"]);
  });
});

describe("form to API input", () => {
  it("sends numbers as numbers and leaves empty fields out", () => {
    const s = { ...initialFormState(SIM), topic: "  Birds of Europe ", producers: "4", requestSize: "" };
    const input = toStartInput(s);
    expect(input).toMatchObject({ topic: "  Birds of Europe ", producers: 4, requestSize: undefined, strategy: "adaptive", stop: undefined });
    expect(input.providers).toEqual([
      { provider: "sim", model: "sim-strong", weight: 1 },
      { provider: "sim", model: "sim-weak", weight: 1 },
    ]);
  });

  it("includes stop conditions only when one is set, and passes bad numbers on for the API to reject", () => {
    const s = { ...initialFormState(SIM), maxMinutes: "1.5", maxEntries: "abc" };
    expect(toStartInput(s).stop).toEqual({ maxEntries: Number.NaN, maxCostUsd: undefined, maxMinutes: 1.5 });
    expect(numberField(" 7 ")).toBe(7);
  });
});

describe("API errors to fields", () => {
  it("puts zod field errors next to their fields", () => {
    const err = { message: "[...]", data: { zodError: { formErrors: [], fieldErrors: { topic: ["topic must have at least 2 characters"], stop: ["Too small"] } } } };
    expect(formErrorsFromApi(err)).toEqual({ fields: { topic: ["topic must have at least 2 characters"], stop: ["Too small"] }, form: [] });
  });

  it("keeps unknown fields and form errors at form level", () => {
    const err = { data: { zodError: { formErrors: ["bad body"], fieldErrors: { other: ["nope"] } } } };
    expect(formErrorsFromApi(err)).toEqual({ fields: {}, form: ["bad body", "other: nope"] });
  });

  it("attributes a missing provider key to the provider mix", () => {
    expect(formErrorsFromApi({ message: "provider openai needs OPENAI_API_KEY in the server's environment" }).fields.providers).toHaveLength(1);
  });

  it("explains a network failure", () => {
    expect(formErrorsFromApi(new TypeError("Failed to fetch")).form[0]).toMatch(/Cannot reach the server/);
    expect(formErrorsFromApi(null).form[0]).toMatch(/went wrong/);
  });

  it("points at the invalid mix row and the suspicious stop fields", () => {
    const good = mixRow({ provider: "sim", model: "sim-strong" });
    const bad = mixRow({ provider: "sim", model: "bad model!" }, "-1");
    const errors = mixRowErrors([good, bad]);
    expect(errors.has(good.id)).toBe(false);
    expect(errors.get(bad.id)).toMatch(/model/);
    expect(suspectStopFields({ maxEntries: "2.5", maxCostUsd: "-1", maxMinutes: "10" })).toEqual(["maxEntries", "maxCostUsd"]);
  });
});
