"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTRPC } from "../../trpc/react";
import { MAX_CONCURRENCY } from "../../lib/protocol";
import {
  NO_ERRORS,
  EXPLORATION_OPTIONS,
  STRATEGY_OPTIONS,
  clearErrors,
  formErrorsFromApi,
  hasErrorUnder,
  initialFormState,
  mixRow,
  mixRowErrors,
  nestedMixErrors,
  optionKey,
  stopFieldErrors,
  toStartInput,
  type FormErrors,
  type MixRow,
  type TopicFormState,
} from "../_lib/topic-form";
import { MixRowEditor } from "./mix-row-editor";
import { Field, FieldError, Spinner, STOP_FIELDS, StopInput } from "./topic-form-fields";
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
      onError: (err) => setErrors({ ...NO_ERRORS, form: [`Could not stop: ${err.message}`] }),
    }),
  );

  const set = <K extends keyof TopicFormState>(key: K, value: TopicFormState[K]) => {
    setState((s) => ({ ...s, [key]: value }));
    // The edited input's error goes (its parts' too); the others stay until the next submit.
    const path = key === "mix" ? "providers" : STOP_FIELDS.some((f) => f.key === key) ? `stop.${key}` : key;
    setErrors((e) => clearErrors(e, path));
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

  // Full paths ("providers.1.weight") say which row; a bare `providers` error is checked row by row here.
  const rowErrors = useMemo(() => {
    const exact = nestedMixErrors(errors, state.mix);
    return exact.size > 0 || !errors.fields.providers ? exact : mixRowErrors(state.mix);
  }, [errors, state.mix]);
  const stopErrors = stopFieldErrors(errors, state);
  const mixInvalid = hasErrorUnder(errors, "providers");
  const stopInvalid = hasErrorUnder(errors, "stop");
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
          <Field id="concurrency" label="Calls in flight per producer" error={errors.fields.concurrency}>
            <input
              id="concurrency"
              name="concurrency"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_CONCURRENCY}
              value={state.concurrency}
              onChange={(e) => set("concurrency", e.target.value)}
              aria-invalid={Boolean(errors.fields.concurrency)}
              aria-describedby={errors.fields.concurrency ? "concurrency-error" : undefined}
            />
          </Field>
        </div>

        <fieldset className="mix" aria-invalid={mixInvalid} aria-describedby={errors.fields.providers ? "providers-error" : undefined}>
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
            <button
              type="button"
              className="btn small"
              onClick={() => unused && setMix([...state.mix, mixRow(unused)])}
              disabled={!unused || state.mix.length >= 10}
            >
              Add model
            </button>
            <span className="hint">
              {fallback
                ? "Simulator only (the server did not list providers)."
                : usable.some((o) => !o.simulated)
                  ? "Real providers need no extra setup."
                  : "OpenAI / Anthropic appear when their API key is set on the server."}
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

        <Field id="exploration" label="Exploration" error={errors.fields.exploration}>
          <select
            id="exploration"
            name="exploration"
            value={state.exploration}
            onChange={(e) => set("exploration", e.target.value as TopicFormState["exploration"])}
            data-testid="exploration"
          >
            {EXPLORATION_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>

        <fieldset className="stop" aria-invalid={stopInvalid} aria-describedby={errors.fields.stop ? "stop-error" : undefined}>
          <legend>Stop when (optional)</legend>
          <div className="field-row">
            {STOP_FIELDS.map((f) => (
              <StopInput key={f.key} field={f} value={state[f.key]} messages={stopErrors[f.key]} onChange={(v) => set(f.key, v)} />
            ))}
          </div>
          {state.coveragePercent.trim() !== "" && (
            <p className="hint">Coverage is estimated from re-proposed entries; the run stops once the estimate reaches it (after at least 50 entries).</p>
          )}
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
          <button type="button" className="btn danger" disabled={!active} onClick={() => stop.mutate()} data-testid="stop-button">
            {stop.isPending ? <Spinner label="Stopping… (Stop again to skip verification)" /> : "Stop"}
          </button>
        </div>
      </form>
    </section>
  );
}
