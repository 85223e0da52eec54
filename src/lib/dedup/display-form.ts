import { descriptionBase } from "./blocking";
import { canonicalKey } from "./canonical-key";

/**
 * The display form of an entry: of the texts proposed for it, the one written to output.txt.
 * Only forms with the entry's own canonical key are eligible, plus the bare name of a described
 * entry ("Stewa Rava" for "Stewa Rava (known for its style)"): an alias (another name) is never
 * shown instead of the name.
 */

/** Two or more letters, none of them lower case: "USA", "NOTRE-DAME". */
export function isAllCaps(text: string): boolean {
  let letters = 0;
  for (const ch of text) {
    if (ch.toLowerCase() === ch.toUpperCase()) continue;
    if (ch !== ch.toUpperCase()) return false;
    letters++;
  }
  return letters >= 2;
}

export interface ProposedForm {
  text: string;
  /** Times this exact text was proposed. */
  count: number;
}

/**
 * The cleanest form: without a trailing description when the bare name was proposed; never
 * all capitals when a cased form was proposed; then the most frequent; then the current text
 * (`forms[0]`), so a tie never flips the line back and forth.
 */
export function displayForm(current: string, forms: readonly ProposedForm[]): string {
  const key = canonicalKey(current);
  const base = descriptionBase(current);
  const baseKey = base === null ? null : canonicalKey(base);
  let eligible = forms.filter(
    (f) =>
      f.count > 0 && f.text.trim() !== "" && (f.text === current || canonicalKey(f.text) === key || (baseKey !== null && canonicalKey(f.text) === baseKey)),
  );
  if (!eligible.some((f) => f.text === current)) eligible.unshift({ text: current, count: 0 });
  // The bare name wins over any described form.
  if (baseKey !== null && eligible.some((f) => canonicalKey(f.text) === baseKey)) eligible = eligible.filter((f) => canonicalKey(f.text) === baseKey);
  if (eligible.some((f) => !isAllCaps(f.text))) eligible = eligible.filter((f) => !isAllCaps(f.text));
  let best = eligible.find((f) => f.text === current) ?? eligible[0]!;
  for (const f of eligible) if (f.count > best.count) best = f;
  return best.text;
}
