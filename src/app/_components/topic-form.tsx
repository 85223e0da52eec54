"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "../../trpc/react";
import {
  NO_ERRORS,
  STRATEGY_OPTIONS,
  formErrorsFromApi,
  initialFormState,
  mixRow,
  mixRowErrors,
  optionKey,
  suspectStopFields,
  toStartInput,
  type FieldKey,
  type FormErrors,
  type MixRow,
  type ProviderOption,
  type TopicFormState,
} from "../_lib/topic-form";
import { useProviderOptions } from "./use-providers";

type Props = {
  /** A run is producing: Stop is offered. */
  active: boolean;
  /** A topic to put in the field (e.g. picked from history). */
  prefill: { topic: string; nonce: number } | null;
  onStarted: (runId: string) => void;
};

export function TopicForm({ active, prefill, onStarted }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { options, fallback } = useProviderOptions();
  const [state, setState] = useState<TopicFormState>(() => initialFormState(options));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [mixTouched, setMixTouched] = useState(false);

  // The provider list arrives after the first render: use its default mix until the user edits it.
  useEffect(() => {
    if (!mixTouched) setState((s) => ({ ...s, mix: initialFormState(options).mix }));
  }, [options, mixTouched]);

  useEffect(() => {
    if (prefill) setState((s) => ({ ...s, topic: prefill.topic }));
  }, [prefill]);

  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.topic.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.topic.status.queryKey() });
  };

  const start = useMutation(
    trpc.topic.start.mutationOptions({
      onMutate: () => setErrors(NO_ERRORS),
      onSuccess: (res) => {
        invalidate();
        onStarted(res.runId);
      },
      onError: (err) => setErrors(formErrorsFromApi(err)),
    }),
  );
  const stop = useMutation(
    trpc.topic.stop.mutationOptions({
      onSuccess: invalidate,
      onError: (err) => setErrors({ fields: {}, form: [`Could not stop: ${err.message}`] }),
    }),
  );

  const set = <K extends keyof TopicFormState>(key: K, value: TopicFormState[K]) => {
    setState((s) => ({ ...s, [key]: value }));
    const field: FieldKey | undefined = key === "mix" ? "providers" : key === "maxEntries" || key === "maxCostUsd" || key === "maxMinutes" ? "stop" : (key as FieldKey);
    if (field && errors.fields[field]) setErrors((e) => ({ ...e, fields: { ...e.fields, [field]: undefined } }));
  };

  const setMix = (mix: MixRow[]) => {
    setMixTouched(true);
    set("mix", mix);
  };

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    if (start.isPending) return;
    start.mutate(toStartInput(state));
  };

  const rowErrors = useMemo(() => (errors.fields.providers ? mixRowErrors(state.mix) : new Map<number, string>()), [errors.fields.providers, state.mix]);
  const badStop = errors.fields.stop ? suspectStopFields(state) : [];
  const usable = options.filter((o) => o.available);
  const unused = usable.find((o) => !state.mix.some((r) => optionKey(r) === optionKey(o))) ?? usable[0];

  return (
    <section className="card form-card" aria-labelledby="topic-form-title">
      <h2 id="topic-form-title">Topic</h2>
      <form onSubmit={onSubmit} noValidate aria-busy={start.isPending} data-testid="topic-form">
        <Field id="topic" label="Topic to explore" error={errors.fields.topic}>
          <input
            id="topic"
            name="topic"
            type="text"
            autoComplete="off"
            placeholder="e.g. Birds of Europe"
            value={state.topic}
            onChange={(e) => set("topic", e.target.value)}
            aria-invalid={Boolean(errors.fields.topic)}
            aria-describedby={errors.fields.topic ? "topic-error" : undefined}
          />
        </Field>

        <div className="field-row">
          <Field id="producers" label="Producers" error={errors.fields.producers}>
            <input
              id="producers"
              name="producers"
              type="number"
              inputMode="numeric"
              min={1}
              max={20}
              value={state.producers}
              onChange={(e) => set("producers", e.target.value)}
              aria-invalid={Boolean(errors.fields.producers)}
              aria-describedby={errors.fields.producers ? "producers-error" : undefined}
            />
          </Field>
          <Field id="requestSize" label="Items per request" error={errors.fields.requestSize}>
            <input
              id="requestSize"
              name="requestSize"
              type="number"
              inputMode="numeric"
              min={5}
              max={200}
              value={state.requestSize}
              onChange={(e) => set("requestSize", e.target.value)}
              aria-invalid={Boolean(errors.fields.requestSize)}
              aria-describedby={errors.fields.requestSize ? "requestSize-error" : undefined}
            />
          </Field>
        </div>

        <fieldset className="mix" aria-invalid={Boolean(errors.fields.providers)} aria-describedby={errors.fields.providers ? "providers-error" : undefined}>
          <legend>Provider / model mix</legend>
          <ul className="mix-rows">
            {state.mix.map((row, i) => (
              <MixRowEditor
                key={row.id}
                row={row}
                index={i}
                options={usable}
                error={rowErrors.get(row.id)}
                canRemove={state.mix.length > 1}
                onChange={(next) => setMix(state.mix.map((r) => (r.id === row.id ? next : r)))}
                onRemove={() => setMix(state.mix.filter((r) => r.id !== row.id))}
              />
            ))}
          </ul>
          {state.mix.length === 0 && <p className="hint">No model selected.</p>}
          <div className="mix-actions">
            <button type="button" className="btn small" onClick={() => unused && setMix([...state.mix, mixRow(unused)])} disabled={!unused || state.mix.length >= 10}>
              Add model
            </button>
            <span className="hint">
              {fallback ? "Simulator only (the server did not list providers)." : usable.some((o) => !o.simulated) ? "Real providers need no extra setup." : "OpenAI / Anthropic appear when their API key is set on the server."}
            </span>
          </div>
          <FieldError id="providers-error" messages={errors.fields.providers} />
        </fieldset>

        <Field id="strategy" label="Routing strategy" error={errors.fields.strategy}>
          <select id="strategy" name="strategy" value={state.strategy} onChange={(e) => set("strategy", e.target.value as TopicFormState["strategy"])}>
            {STRATEGY_OPTIONS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>

        <fieldset className="stop" aria-invalid={Boolean(errors.fields.stop)} aria-describedby={errors.fields.stop ? "stop-error" : undefined}>
          <legend>Stop when (optional)</legend>
          <div className="field-row three">
            <StopInput id="maxEntries" label="Max entries" unit="" value={state.maxEntries} invalid={badStop.includes("maxEntries")} onChange={(v) => set("maxEntries", v)} />
            <StopInput id="maxCostUsd" label="Max spend" unit="$" value={state.maxCostUsd} invalid={badStop.includes("maxCostUsd")} onChange={(v) => set("maxCostUsd", v)} step="0.01" />
            <StopInput id="maxMinutes" label="Max minutes" unit="" value={state.maxMinutes} invalid={badStop.includes("maxMinutes")} onChange={(v) => set("maxMinutes", v)} />
          </div>
          <FieldError id="stop-error" messages={errors.fields.stop} />
        </fieldset>

        {errors.form.length > 0 && (
          <div className="form-error" role="alert" data-testid="form-error">
            {errors.form.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        )}

        {active && <p className="hint">Starting a topic stops the one that is running.</p>}
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={start.isPending} data-testid="start-button">
            {start.isPending ? <Spinner label="Starting…" /> : "Start"}
          </button>
          <button type="button" className="btn danger" disabled={!active || stop.isPending} onClick={() => stop.mutate()} data-testid="stop-button">
            {stop.isPending ? <Spinner label="Stopping…" /> : "Stop"}
          </button>
        </div>
      </form>
    </section>
  );
}

function Field({ id, label, error, children }: { id: string; label: string; error?: string[]; children: ReactNode }) {
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldError id={`${id}-error`} messages={error} />
    </div>
  );
}

function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={id} className="field-error" role="alert" data-testid={id}>
      {messages.join(" · ")}
    </p>
  );
}

function StopInput({ id, label, unit, value, invalid, onChange, step }: { id: string; label: string; unit: string; value: string; invalid: boolean; onChange: (v: string) => void; step?: string }) {
  return (
    <div className={`field${invalid ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <div className="with-unit">
        {unit && <span aria-hidden="true">{unit}</span>}
        <input id={id} name={id} type="number" inputMode="decimal" min={0} step={step ?? "1"} placeholder="none" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid} />
      </div>
    </div>
  );
}

function MixRowEditor({
  row,
  index,
  options,
  error,
  canRemove,
  onChange,
  onRemove,
}: {
  row: MixRow;
  index: number;
  options: ProviderOption[];
  error?: string;
  canRemove: boolean;
  onChange: (row: MixRow) => void;
  onRemove: () => void;
}) {
  const uid = useId();
  const key = optionKey(row);
  const known = options.some((o) => optionKey(o) === key);
  return (
    <li className={`mix-row${error ? " invalid" : ""}`}>
      <label htmlFor={`${uid}-model`} className="sr-only">
        Model {index + 1}
      </label>
      <select
        id={`${uid}-model`}
        value={key}
        aria-invalid={Boolean(error)}
        onChange={(e) => {
          const o = options.find((x) => optionKey(x) === e.target.value);
          if (o) onChange({ ...row, provider: o.provider, model: o.model });
        }}
      >
        {!known && <option value={key}>{key} (unavailable)</option>}
        {options.map((o) => (
          <option key={optionKey(o)} value={optionKey(o)}>
            {o.simulated && !/simulat/i.test(o.label) ? `${o.label} (simulated)` : o.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${uid}-weight`} className="sr-only">
        Weight of model {index + 1}
      </label>
      <input
        id={`${uid}-weight`}
        className="weight"
        type="number"
        inputMode="decimal"
        min={0}
        step="0.1"
        value={row.weight}
        title="Weight"
        aria-invalid={Boolean(error)}
        onChange={(e) => onChange({ ...row, weight: e.target.value })}
      />
      <button type="button" className="btn icon" onClick={onRemove} disabled={!canRemove} aria-label={`Remove model ${index + 1}`} title="Remove">
        ×
      </button>
      {error && <p className="field-error row-error">{error}</p>}
    </li>
  );
}

function Spinner({ label }: { label: string }) {
  return (
    <span className="pending">
      <span className="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}
