import type { CheckResult, DedupEngine } from "./check-result";

/** The `npm run dedup` behaviour without the I/O: first occurrence wins, output per mode. */

export type OutputMode = "lines" | "jsonl";

export interface LineVerdict {
  text: string;
  result: CheckResult;
}

/** Checks one line and accepts it when unique. */
export function dedupLine(text: string, engine: DedupEngine): LineVerdict {
  const result = engine.check(text);
  if (result.unique) engine.accept(text, result.key);
  return { text, result };
}

/** Checks each line in order and accepts the unique ones. */
export function* dedupLines(lines: Iterable<string>, engine: DedupEngine): Generator<LineVerdict> {
  for (const text of lines) yield dedupLine(text, engine);
}

function statusOf(r: CheckResult): "new" | "dup" | "junk" {
  if (r.unique) return "new";
  return r.reason === "empty" ? "junk" : "dup";
}

/**
 * One output line (without newline) for a verdict, or null when the mode prints nothing for it.
 * lines: the accepted text. jsonl: {"text","unique","duplicateOf"}; with explain also "key",
 * "kind" (exact|near|null), "reason" (same-key|typo|word-order|spacing|empty|null) and, when
 * the engine reports them, "borderline" matches.
 */
export function formatLine({ text, result: r }: LineVerdict, mode: OutputMode, explain: boolean): string | null {
  if (mode === "lines") return r.unique ? text : null;
  const duplicateOf = r.unique || r.reason === "empty" ? null : r.duplicateOf;
  if (!explain) return JSON.stringify({ text, unique: r.unique, duplicateOf });
  return JSON.stringify({
    text,
    unique: r.unique,
    duplicateOf,
    key: r.key,
    kind: r.unique ? null : r.kind,
    reason: r.unique ? null : (r.reason ?? null),
    ...(r.unique && r.borderline ? { borderline: r.borderline } : {}),
  });
}

/** The --explain line for stderr in lines mode: status, reason, key, text, duplicate-of, tab-separated. */
export function explainLine({ text, result: r }: LineVerdict): string {
  const reason = r.unique ? (r.borderline ? `borderline:${r.borderline.map((b) => b.reason).join(",")}` : "-") : `${r.kind}/${r.reason ?? "-"}`;
  const other = r.unique ? (r.borderline?.[0]?.duplicateOf ?? "") : r.duplicateOf;
  return [statusOf(r), reason, r.key, text, other].join("\t");
}
