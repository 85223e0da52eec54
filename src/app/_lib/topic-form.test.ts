import { describe, expect, it } from "vitest";
import { availableModels } from "../../lib/provider-settings";
import { defaultProviders } from "../../lib/run-config";
import {
  NO_ERRORS,
  clearErrors,
  defaultMix,
  formErrorsFromApi,
  hasErrorUnder,
  initialFormState,
  mixRow,
  mixRowErrors,
  nestedMixErrors,
  numberField,
  stopFieldErrors,
  suspectStopFields,
  toStartInput,
  type ProviderOption,
} from "./topic-form";

const SIM: ProviderOption[] = [
  { provider: "sim", model: "sim-strong", label: "Simulator: strong", simulated: true, available: true, byDefault: true },
  { provider: "sim", model: "sim-weak", label: "Simulator: weak", simulated: true, available: true, byDefault: true },
  { provider: "sim", model: "sim-reasoner", label: "Simulator: reasoner", simulated: true, available: true, byDefault: false },
];
const OPENAI: ProviderOption = { provider: "openai", model: "gpt-4o-mini", label: "OpenAI gpt-4o-mini", simulated: false, available: true, byDefault: true };
const OPENAI_MORE: ProviderOption = {
  provider: "openai",
  model: "gpt-4.1-mini",
  label: "OpenAI gpt-4.1-mini",
  simulated: false,
  available: true,
  byDefault: false,
};
const ANTHROPIC_NO_KEY: ProviderOption = {
  provider: "anthropic",
  model: "claude-3-5-haiku-latest",
  label: "Claude",
  simulated: false,
  available: false,
  byDefault: true,
};

describe("default provider mix", () => {
  it("offers the real providers with a key when there are any", () => {
    expect(defaultMix([...SIM, OPENAI, OPENAI_MORE, ANTHROPIC_NO_KEY]).map((r) => r.model)).toEqual(["gpt-4o-mini"]);
  });
  it.each([{}, { groq: true, ollama: true }, { openai: true }])("is the server's default mix with the providers %o", (keys) => {
    const label = (t: { provider: string; model: string }) => `${t.provider}:${t.model}`;
    expect(defaultMix(availableModels(keys)).map(label)).toEqual(defaultProviders(keys).map(label));
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
    expect(toStartInput(s).stop).toEqual({ maxEntries: Number.NaN, maxCostUsd: undefined, maxMinutes: 1.5, coveragePercent: undefined });
    expect(numberField(" 7 ")).toBe(7);
  });

  it("sends the routing strategy (adaptive by default) and a coverage stop", () => {
    const s = { ...initialFormState(SIM), topic: "Birds", strategy: "backoff" as const, coveragePercent: "80" };
    expect(toStartInput(s)).toMatchObject({ strategy: "backoff", stop: { coveragePercent: 80 } });
    expect(toStartInput(initialFormState(SIM)).strategy).toBe("adaptive");
  });

  it("sends the calls in flight per producer (1 by default), typed as entered", () => {
    expect(toStartInput(initialFormState(SIM)).concurrency).toBe(1);
    expect(toStartInput({ ...initialFormState(SIM), topic: "Birds", concurrency: "10" }).concurrency).toBe(10);
    expect(toStartInput({ ...initialFormState(SIM), topic: "Birds", concurrency: "" }).concurrency).toBeUndefined();
  });
});

describe("API errors to fields", () => {
  it("puts zod field errors next to their fields", () => {
    const err = {
      message: "[...]",
      data: { zodError: { formErrors: [], fieldErrors: { topic: ["topic must have at least 2 characters"], stop: ["Too small"] } } },
    };
    expect(formErrorsFromApi(err)).toEqual({ fields: { topic: ["topic must have at least 2 characters"], stop: ["Too small"] }, nested: {}, form: [] });
  });

  it("keeps unknown fields and form errors at form level", () => {
    const err = { data: { zodError: { formErrors: ["bad body"], fieldErrors: { other: ["nope"] } } } };
    expect(formErrorsFromApi(err)).toEqual({ fields: {}, nested: {}, form: ["bad body", "other: nope"] });
  });

  it("uses the full paths of the API's issues to place nested errors next to the exact input", () => {
    const err = {
      data: {
        zodError: { formErrors: [], fieldErrors: { topic: ["too short"], stop: ["too small", "too big"], providers: ["bad weight"] } },
        issues: [
          { path: "topic", message: "too short" },
          { path: "stop.maxMinutes", message: "too small" },
          { path: "stop.coveragePercent", message: "too big" },
          { path: "providers.1.weight", message: "bad weight" },
          { path: "promptBudgetTokens", message: "not here" },
          { path: "", message: "whole body" },
        ],
      },
    };
    expect(formErrorsFromApi(err)).toEqual({
      fields: { topic: ["too short"] },
      nested: { "stop.maxMinutes": ["too small"], "stop.coveragePercent": ["too big"], "providers.1.weight": ["bad weight"] },
      form: ["promptBudgetTokens: not here", "whole body"],
    });
  });

  it("ignores malformed or empty issue lists and falls back to the flattened error", () => {
    const zodError = { formErrors: [], fieldErrors: { topic: ["too short"] } };
    expect(formErrorsFromApi({ data: { zodError, issues: [] } }).fields).toEqual({ topic: ["too short"] });
    expect(formErrorsFromApi({ data: { zodError, issues: [{ path: 3 }, null] } }).fields).toEqual({ topic: ["too short"] });
    expect(formErrorsFromApi({ data: { zodError, issues: "x" } }).fields).toEqual({ topic: ["too short"] });
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
    expect(suspectStopFields({ maxEntries: "2.5", maxCostUsd: "-1", maxMinutes: "10", coveragePercent: "150" })).toEqual([
      "maxEntries",
      "maxCostUsd",
      "coveragePercent",
    ]);
  });

  it("maps nested paths to mix rows and stop inputs, and says which fields have errors", () => {
    const mix = [mixRow({ provider: "sim", model: "sim-strong" }), mixRow({ provider: "sim", model: "sim-weak" })];
    const errors = {
      ...NO_ERRORS,
      nested: { "providers.1.weight": ["Too small"], "providers.7": ["gone"], "stop.maxMinutes": ["Too small: expected number to be >0"] },
    };
    expect([...nestedMixErrors(errors, mix)]).toEqual([[mix[1]!.id, "weight: Too small"]]);
    const stop = { maxEntries: "", maxCostUsd: "", maxMinutes: "-5", coveragePercent: "150" };
    // Exact paths win: only the input the API named is flagged.
    expect(stopFieldErrors(errors, stop)).toEqual({ maxMinutes: ["Too small: expected number to be >0"] });
    // Without paths, a rejected `stop` flags the inputs that look wrong, without a message.
    expect(stopFieldErrors({ ...NO_ERRORS, fields: { stop: ["Too small"] } }, stop)).toEqual({ maxMinutes: [], coveragePercent: [] });
    expect(hasErrorUnder(errors, "stop")).toBe(true);
    expect(hasErrorUnder(errors, "topic")).toBe(false);
  });

  it("clears the errors of the input being edited and only those", () => {
    const errors = {
      fields: { topic: ["short"], stop: ["bad"] },
      nested: { "stop.maxMinutes": ["small"], "stop.maxEntries": ["small"], "providers.0.weight": ["x"] },
      form: ["f"],
    };
    expect(clearErrors(errors, "stop.maxMinutes")).toEqual({
      fields: { topic: ["short"] },
      nested: { "stop.maxEntries": ["small"], "providers.0.weight": ["x"] },
      form: ["f"],
    });
    expect(clearErrors(errors, "providers").nested).toEqual({ "stop.maxMinutes": ["small"], "stop.maxEntries": ["small"] });
    expect(clearErrors(errors, "topic").fields).toEqual({ stop: ["bad"] });
  });
});
