/**
 * The topic form's state, its conversion to `topic.start` input, and the mapping of API
 * errors back to fields. Values are sent as typed; the API validates (one schema, on the
 * server) and its flattened zod error says which field to flag.
 */
import { providerTargetSchema, targetLabel, type CatalogueModel, type ProviderId } from "../../lib/providers";
import type { Exploration, StartInput, StrategyName } from "../../lib/run-config";

/** One entry of `topic.providers`. */
/** A model the form offers: the catalogue entry (src/lib/providers.ts) marked available or not. */
export type ProviderOption = CatalogueModel & { available: boolean };

export type MixRow = { id: number; provider: ProviderId; model: string; weight: string };

export type TopicFormState = {
  topic: string;
  producers: string;
  mix: MixRow[];
  requestSize: string;
  /** LLM calls in flight per producer. */
  concurrency: string;
  strategy: StrategyName | "";
  exploration: Exploration;
  maxEntries: string;
  maxCostUsd: string;
  maxMinutes: string;
  coveragePercent: string;
};

export const STOP_KEYS = ["maxEntries", "maxCostUsd", "maxMinutes", "coveragePercent"] as const;
export type StopKey = (typeof STOP_KEYS)[number];

export const STRATEGY_OPTIONS = [
  { value: "adaptive", label: "Adaptive (learns the best mix)" },
  { value: "weighted", label: "Weighted (fixed weights)" },
  { value: "roundrobin", label: "Round robin" },
  { value: "priority", label: "Priority (first listed first)" },
  { value: "backoff", label: "Back off on errors" },
] as const satisfies ReadonlyArray<{ value: StrategyName; label: string }>;

export const EXPLORATION_OPTIONS = [
  { value: "tree", label: "Topic tree (splits the topic into subtopics as it goes)" },
  { value: "flat", label: "Flat (one prompt for the whole topic)" },
] as const satisfies ReadonlyArray<{ value: Exploration; label: string }>;

export type FieldKey = "topic" | "producers" | "providers" | "requestSize" | "concurrency" | "strategy" | "exploration" | "stop";
/**
 * `fields`: messages about a whole top-level field. `nested`: messages about a part of one,
 * by full path ("stop.maxMinutes", "providers.1.weight"), to show next to that exact input.
 */
export type FormErrors = { fields: Partial<Record<FieldKey, string[]>>; nested: Record<string, string[]>; form: string[] };
export const NO_ERRORS: FormErrors = { fields: {}, nested: {}, form: [] };

/** A model option's key: the "provider:model" label used everywhere. */
export const optionKey = targetLabel;

let nextRowId = 1;
export function mixRow(o: { provider: ProviderId; model: string }, weight = "1"): MixRow {
  return { id: nextRowId++, provider: o.provider, model: o.model, weight };
}

/** The default mix, as the server's (run-config.ts defaultProviders): the default models of every real provider with a key, else the simulator's. */
export function defaultMix(options: readonly ProviderOption[]): MixRow[] {
  const usable = options.filter((o) => o.available && o.byDefault);
  const real = usable.filter((o) => !o.simulated);
  return (real.length > 0 ? real : usable).map((o) => mixRow(o));
}

export function initialFormState(options: readonly ProviderOption[]): TopicFormState {
  return {
    topic: "",
    producers: "5",
    mix: defaultMix(options),
    requestSize: "100",
    concurrency: "1",
    strategy: "adaptive",
    exploration: "tree",
    maxEntries: "",
    maxCostUsd: "",
    maxMinutes: "",
    coveragePercent: "",
  };
}

/** "" -> undefined; anything else -> a number, NaN included (the API says it is invalid). */
export function numberField(v: string): number | undefined {
  const s = v.trim();
  if (s === "") return undefined;
  return Number(s);
}

export function toStartInput(s: TopicFormState): StartInput {
  const stop = {
    maxEntries: numberField(s.maxEntries),
    maxCostUsd: numberField(s.maxCostUsd),
    maxMinutes: numberField(s.maxMinutes),
    coveragePercent: numberField(s.coveragePercent),
  };
  const hasStop = Object.values(stop).some((v) => v !== undefined);
  const input: StartInput = {
    topic: s.topic,
    producers: numberField(s.producers),
    // An empty mix is sent as such, so the API reports it against the providers field.
    providers: s.mix.map((r) => ({ provider: r.provider, model: r.model, weight: numberField(r.weight) })),
    requestSize: numberField(s.requestSize),
    concurrency: numberField(s.concurrency),
    strategy: s.strategy === "" ? undefined : s.strategy,
    exploration: s.exploration,
    stop: hasStop ? stop : undefined,
  };
  return input;
}

type ErrorLike = {
  message?: unknown;
  data?: { zodError?: { formErrors?: unknown; fieldErrors?: unknown } | null; issues?: unknown } | null;
};

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

const FIELD_KEYS: readonly FieldKey[] = ["topic", "producers", "providers", "requestSize", "concurrency", "strategy", "exploration", "stop"];

function isFieldKey(key: string): key is FieldKey {
  return (FIELD_KEYS as readonly string[]).includes(key);
}

function push(into: Record<string, string[]>, key: string, message: string): void {
  (into[key] ??= []).push(message);
}

/** `data.issues`: one entry per zod issue with its full dotted path; null when absent or malformed. */
function apiIssues(v: unknown): Array<{ path: string; message: string }> | null {
  if (!Array.isArray(v)) return null;
  const out: Array<{ path: string; message: string }> = [];
  for (const i of v) {
    if (typeof i !== "object" || i === null) continue;
    const { path, message } = i as { path?: unknown; message?: unknown };
    if (typeof path === "string" && typeof message === "string") out.push({ path, message });
  }
  return out;
}

/** Splits an API error into per-field, per-part-of-a-field and form-level messages. */
export function formErrorsFromApi(err: unknown): FormErrors {
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorLike;
  const issues = apiIssues(e.data?.issues);
  // Full paths say which part of a nested field is wrong: preferred over the flattened error.
  if (issues && issues.length > 0) {
    const fields: FormErrors["fields"] = {};
    const nested: FormErrors["nested"] = {};
    const form: string[] = [];
    for (const { path, message } of issues) {
      const head = path.split(".")[0] ?? "";
      if (path === "") form.push(message);
      else if (!isFieldKey(head)) form.push(`${path}: ${message}`);
      else if (path === head) push(fields, head, message);
      else push(nested, path, message);
    }
    return { fields, nested, form };
  }
  const zod = e.data?.zodError;
  if (zod) {
    const fields: FormErrors["fields"] = {};
    const extra: string[] = [];
    const fieldErrors = (typeof zod.fieldErrors === "object" && zod.fieldErrors !== null ? zod.fieldErrors : {}) as Record<string, unknown>;
    for (const [key, msgs] of Object.entries(fieldErrors)) {
      const list = strings(msgs);
      if (list.length === 0) continue;
      if (isFieldKey(key)) fields[key] = list;
      else extra.push(...list.map((m) => `${key}: ${m}`));
    }
    const form = [...strings(zod.formErrors), ...extra];
    if (Object.keys(fields).length === 0 && form.length === 0) form.push("The request was not valid.");
    return { fields, nested: {}, form };
  }
  const message = typeof e.message === "string" && e.message !== "" ? e.message : "Something went wrong; please try again.";
  // Domain errors about a provider (e.g. a missing API key) belong to the provider mix.
  if (/^provider\b/i.test(message)) return { fields: { providers: [message] }, nested: {}, form: [] };
  if (/fetch|network|failed to/i.test(message)) return { fields: {}, nested: {}, form: [`Cannot reach the server (${message}).`] };
  return { fields: {}, nested: {}, form: [message] };
}

/** Whether a top-level field has any error, on itself or on a part of it. */
export function hasErrorUnder(errors: FormErrors, field: FieldKey): boolean {
  return Boolean(errors.fields[field]) || Object.keys(errors.nested).some((p) => p.startsWith(`${field}.`));
}

/** The errors left once the user edits `path` ("topic", "stop.maxMinutes"): its own, its parts' and its field's go. */
export function clearErrors(errors: FormErrors, path: string): FormErrors {
  const head = path.split(".")[0] ?? path;
  const nested = Object.fromEntries(Object.entries(errors.nested).filter(([p]) => p !== path && !p.startsWith(`${path}.`)));
  const fields = { ...errors.fields };
  if (isFieldKey(head)) delete fields[head];
  return { ...errors, fields, nested };
}

/** Messages per mix row (by row id) from paths like "providers.1.weight". */
export function nestedMixErrors(errors: FormErrors, mix: readonly MixRow[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const [path, msgs] of Object.entries(errors.nested)) {
    const m = /^providers\.(\d+)(?:\.(.+))?$/.exec(path);
    const row = m ? mix[Number(m[1])] : undefined;
    if (!m || !row) continue;
    const text = msgs.map((msg) => (m[2] ? `${m[2]}: ${msg}` : msg)).join("; ");
    out.set(row.id, out.has(row.id) ? `${out.get(row.id)}; ${text}` : text);
  }
  return out;
}

/**
 * Messages per stop input. With full paths from the API they are exact; with only a
 * flattened `stop` error, inputs that are clearly wrong are flagged without a message.
 */
export function stopFieldErrors(errors: FormErrors, s: Pick<TopicFormState, StopKey>): Partial<Record<StopKey, string[]>> {
  const out: Partial<Record<StopKey, string[]>> = {};
  for (const k of STOP_KEYS) {
    const msgs = errors.nested[`stop.${k}`];
    if (msgs) out[k] = msgs;
  }
  if (Object.keys(out).length === 0 && errors.fields.stop) for (const k of suspectStopFields(s)) out[k] = [];
  return out;
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

/** Stop fields that are clearly out of range, to flag them when the API rejected `stop` without saying which. */
export function suspectStopFields(s: Partial<Pick<TopicFormState, StopKey>>): StopKey[] {
  return STOP_KEYS.filter((k) => {
    const n = numberField(s[k] ?? "");
    if (n === undefined) return false;
    if (!Number.isFinite(n) || n <= 0) return true;
    if (k === "coveragePercent") return n < 1 || n > 100;
    return k === "maxEntries" && !Number.isInteger(n);
  });
}
