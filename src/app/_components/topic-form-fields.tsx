import type { ReactNode } from "react";
import type { StopKey } from "../_lib/topic-form";

// The topic form's small parts: a labelled field with its errors, the stop-condition inputs, the pending spinner.

export function Field({ id, label, error, children }: { id: string; label: string; error?: string[]; children: ReactNode }) {
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldError id={`${id}-error`} messages={error} />
    </div>
  );
}

export function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={id} className="field-error" role="alert" data-testid={id}>
      {messages.join(" · ")}
    </p>
  );
}

type StopField = { key: StopKey; label: string; prefix?: string; suffix?: string; step: string; min: number; max?: number; title?: string };

export const STOP_FIELDS: readonly StopField[] = [
  { key: "maxEntries", label: "Max entries", step: "1", min: 1 },
  { key: "maxCostUsd", label: "Max spend", prefix: "$", step: "0.01", min: 0 },
  { key: "maxMinutes", label: "Max minutes", step: "1", min: 0 },
  {
    key: "coveragePercent",
    label: "Est. coverage",
    suffix: "%",
    step: "1",
    min: 1,
    max: 100,
    title: "Stop once about this share of the topic's estimated entries is found (1–100)",
  },
];

export function StopInput({ field: f, value, messages, onChange }: { field: StopField; value: string; messages?: string[]; onChange: (v: string) => void }) {
  const id = f.key;
  const errorId = `stop-${id}-error`;
  const invalid = messages !== undefined;
  return (
    <div className={`field${invalid ? " invalid" : ""}`}>
      <label htmlFor={id} title={f.title}>
        {f.label}
      </label>
      <div className="with-unit">
        {f.prefix && <span aria-hidden="true">{f.prefix}</span>}
        <input
          id={id}
          name={id}
          type="number"
          inputMode="decimal"
          min={f.min}
          max={f.max}
          step={f.step}
          placeholder="none"
          title={f.title}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={messages && messages.length > 0 ? errorId : undefined}
        />
        {f.suffix && <span aria-hidden="true">{f.suffix}</span>}
      </div>
      <FieldError id={errorId} messages={messages} />
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="pending">
      <span className="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}
