/**
 * The topic form's state, its conversion to `topic.start` input, and the mapping of API
 * errors back to fields. Values are sent as typed; the API validates (one schema, on the
 * server) and its flattened zod error says which field to flag.
 */
import { providerTargetSchema, type ProviderId } from "../../lib/providers";
import type { StartInput, StrategyName } from "../../lib/run-config";

/** One entry of `topic.providers`. */
export type ProviderOption = { provider: ProviderId; model: string; label: string; simulated: boolean; available: boolean };

export type MixRow = { id: number; provider: ProviderId; model: string; weight: string };

export type TopicFormState = {
  topic: string;
  producers: string;
  mix: MixRow[];
  requestSize: string;
  strategy: StrategyName | "";
  maxEntries: string;
  maxCostUsd: string;
  maxMinutes: string;
};

export const STRATEGY_OPTIONS = [
  { value: "adaptive", label: "Adaptive (learns the best mix)" },
  { value: "weighted", label: "Weighted (fixed weights)" },
  { value: "roundrobin", label: "Round robin" },
  { value: "priority", label: "Priority (first listed first)" },
  { value: "backoff", label: "Back off on errors" },
] as const satisfies ReadonlyArray<{ value: StrategyName; label: string }>;

export type FieldKey = "topic" | "producers" | "providers" | "requestSize" | "strategy" | "stop";
export type FormErrors = { fields: Partial<Record<FieldKey, string[]>>; form: string[] };
export const NO_ERRORS: FormErrors = { fields: {}, form: [] };

export function optionKey(o: { provider: string; model: string }): string {
  return `${o.provider}:${o.model}`;
}

let nextRowId = 1;
export function mixRow(o: { provider: ProviderId; model: string }, weight = "1"): MixRow {
  return { id: nextRowId++, provider: o.provider, model: o.model, weight };
}

/** The default mix: every real provider with a key, else every simulated model. */
export function defaultMix(options: readonly ProviderOption[]): MixRow[] {
  const usable = options.filter((o) => o.available);
  const real = usable.filter((o) => !o.simulated);
  return (real.length > 0 ? real : usable).map((o) => mixRow(o));
}

export function initialFormState(options: readonly ProviderOption[]): TopicFormState {
  return { topic: "", producers: "3", mix: defaultMix(options), requestSize: "50", strategy: "adaptive", maxEntries: "", maxCostUsd: "", maxMinutes: "" };
}

/** "" -> undefined; anything else -> a number, NaN included (the API says it is invalid). */
export function numberField(v: string): number | undefined {
  const s = v.trim();
  if (s === "") return undefined;
  return Number(s);
}

export function toStartInput(s: TopicFormState): StartInput {
  const stop = { maxEntries: numberField(s.maxEntries), maxCostUsd: numberField(s.maxCostUsd), maxMinutes: numberField(s.maxMinutes) };
  const hasStop = Object.values(stop).some((v) => v !== undefined);
  const input: StartInput = {
    topic: s.topic,
    producers: numberField(s.producers),
    // An empty mix is sent as such, so the API reports it against the providers field.
    providers: s.mix.map((r) => ({ provider: r.provider, model: r.model, weight: numberField(r.weight) })),
    requestSize: numberField(s.requestSize),
    strategy: s.strategy === "" ? undefined : s.strategy,
    stop: hasStop ? stop : undefined,
  };
  return input;
}

type ErrorLike = { message?: unknown; data?: { zodError?: { formErrors?: unknown; fieldErrors?: unknown } | null } | null };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

const FIELD_KEYS: readonly FieldKey[] = ["topic", "producers", "providers", "requestSize", "strategy", "stop"];

/** Splits an API error into per-field messages and form-level messages. */
export function formErrorsFromApi(err: unknown): FormErrors {
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorLike;
  const zod = e.data?.zodError;
  if (zod) {
    const fields: FormErrors["fields"] = {};
    const extra: string[] = [];
    const fieldErrors = (typeof zod.fieldErrors === "object" && zod.fieldErrors !== null ? zod.fieldErrors : {}) as Record<string, unknown>;
    for (const [key, msgs] of Object.entries(fieldErrors)) {
      const list = strings(msgs);
      if (list.length === 0) continue;
      if ((FIELD_KEYS as readonly string[]).includes(key)) fields[key as FieldKey] = list;
      else extra.push(...list.map((m) => `${key}: ${m}`));
    }
    const form = [...strings(zod.formErrors), ...extra];
    if (Object.keys(fields).length === 0 && form.length === 0) form.push("The request was not valid.");
    return { fields, form };
  }
  const message = typeof e.message === "string" && e.message !== "" ? e.message : "Something went wrong; please try again.";
  // Domain errors about a provider (e.g. a missing API key) belong to the provider mix.
  if (/^provider\b/i.test(message)) return { fields: { providers: [message] }, form: [] };
  if (/fetch|network|failed to/i.test(message)) return { fields: {}, form: [`Cannot reach the server (${message}).`] };
  return { fields: {}, form: [message] };
}

/** Which mix row is invalid and why, to point at the row when the API rejected `providers`. */
export function mixRowErrors(mix: readonly MixRow[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of mix) {
    const parsed = providerTargetSchema.safeParse({ provider: r.provider, model: r.model, weight: numberField(r.weight) });
    if (!parsed.success) out.set(r.id, parsed.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; "));
  }
  return out;
}

/** Stop fields that are clearly not a positive number, to flag them when the API rejected `stop`. */
export function suspectStopFields(s: Pick<TopicFormState, "maxEntries" | "maxCostUsd" | "maxMinutes">): Array<"maxEntries" | "maxCostUsd" | "maxMinutes"> {
  const keys = ["maxEntries", "maxCostUsd", "maxMinutes"] as const;
  return keys.filter((k) => {
    const n = numberField(s[k]);
    if (n === undefined) return false;
    if (!Number.isFinite(n) || n <= 0) return true;
    return k === "maxEntries" && !Number.isInteger(n);
  });
}
