import { useId } from "react";
import { optionKey, type MixRow, type ProviderOption } from "../_lib/topic-form";

/** One row of the provider/model mix: the model, its weight, a remove button. */
export function MixRowEditor({
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
