import { buildAliasPrompt, MAX_ALIAS_ENTRIES, parseAliasAnswer, type AliasRequest } from "./aliases";
import type { CheckResult, DedupEngine } from "./check-result";
import {
  buildSelectorPrompt,
  MAX_SELECTOR_ITEMS,
  MAX_SELECTOR_OPTIONS,
  parseSelections,
  type Selection,
  type SelectorItem,
  type SelectorRequest,
} from "./judge";

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
 * "kind" (exact|near|null), "reason" (same-key|alias|typo|word-order|spacing|judged|empty|null),
 * "candidates" (the entries a judge would see, from an engine with `blocking`) and, when the
 * engine reports them, "borderline" matches.
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
    // The entries it was compared with beyond its key: what a judge would be shown.
    candidates: r.unique ? (r.candidates ?? []).map((c) => c.duplicateOf) : [],
  });
}

/** The --explain line for stderr in lines mode: status, reason, key, text, duplicate-of, tab-separated. */
export function explainLine({ text, result: r }: LineVerdict): string {
  const reason = r.unique ? (r.borderline ? `borderline:${r.borderline.map((b) => b.reason).join(",")}` : "-") : `${r.kind}/${r.reason ?? "-"}`;
  const other = r.unique ? (r.borderline?.[0]?.duplicateOf ?? "") : r.duplicateOf;
  return [statusOf(r), reason, r.key, text, other].join("\t");
}

/** One selector call's answer and its token counts (null when the server sent none). */
export interface SelectorAnswer {
  text: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface LineJudgeStats {
  /** Alias calls (with `aliases`) and the other names they gave. */
  aliasCalls: number;
  aliasesSuggested: number;
  calls: number;
  failedCalls: number;
  /** Candidates shown to the judge, and the entries shown with them. */
  items: number;
  pairs: number;
  merged: number;
  promptTokens: number;
  completionTokens: number;
}

/**
 * `npm run dedup -- --judge`: first occurrence wins as in dedupLines; a unique line with
 * candidates is accepted at once (nothing waits for the judge) and goes to the selector, batched
 * MAX_SELECTOR_ITEMS per call; a pick merges the line into that entry afterwards (the verdict
 * becomes `judged`) and remembers it as an alias, so proposed again it is a duplicate with no
 * call. The entries a line is judged against are those it was checked against: never a chain.
 * A failed call leaves its lines unique. With `aliases`, new entries are sent in batches for
 * their other names, which make a later line naming one a candidate of that entry (source alias).
 */
export async function dedupLinesJudged(
  lines: Iterable<string> | AsyncIterable<string>,
  engine: DedupEngine,
  topic: string,
  select: (request: SelectorRequest) => Promise<SelectorAnswer>,
  onError: (err: unknown) => void = () => undefined,
  /** Asks a model for other names of new entries, MAX_ALIAS_ENTRIES per call, before the lines after them. */
  aliases?: (request: AliasRequest) => Promise<SelectorAnswer>,
): Promise<{ verdicts: LineVerdict[]; stats: LineJudgeStats }> {
  const verdicts: LineVerdict[] = [];
  const stats: LineJudgeStats = {
    aliasCalls: 0,
    aliasesSuggested: 0,
    calls: 0,
    failedCalls: 0,
    items: 0,
    pairs: 0,
    merged: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
  let newEntries: string[] = [];
  const askAliases = async () => {
    if (!aliases || newEntries.length === 0) return;
    const entries = newEntries;
    newEntries = [];
    stats.aliasCalls++;
    try {
      const answer = await aliases({ topic, entries });
      const prompt = buildAliasPrompt({ topic, entries });
      stats.promptTokens += answer.promptTokens ?? Math.ceil((prompt.system.length + prompt.user.length) / 4);
      stats.completionTokens += answer.completionTokens ?? Math.ceil(answer.text.length / 4);
      for (const [i, names] of parseAliasAnswer(answer.text, entries)) for (const n of names) if (engine.suggestAlias(n, entries[i]!)) stats.aliasesSuggested++;
    } catch (err) {
      stats.failedCalls++;
      onError(err);
    }
  };
  let pending: { index: number; item: SelectorItem }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const items = batch.map((p) => p.item);
    stats.calls++;
    stats.items += items.length;
    stats.pairs += items.reduce((n, i) => n + i.options.length, 0);
    let picks = new Map<string, Selection>();
    try {
      const answer = await select({ topic, items });
      picks = parseSelections(answer.text, items);
      const prompt = buildSelectorPrompt({ topic, items });
      stats.promptTokens += answer.promptTokens ?? Math.ceil((prompt.system.length + prompt.user.length) / 4);
      stats.completionTokens += answer.completionTokens ?? Math.ceil(answer.text.length / 4);
    } catch (err) {
      stats.failedCalls++;
      onError(err);
    }
    for (const { index, item } of batch) {
      const pick = picks.get(item.id);
      if (pick === undefined || pick === null) continue;
      const into = item.options[pick]!;
      const v = verdicts[index]!;
      // The chosen entry may itself have been merged by an earlier verdict of this batch: keep apart.
      if (!engine.remove(v.text)) continue;
      if (!engine.addAlias(v.text, into)) {
        engine.accept(v.text);
        continue;
      }
      stats.merged++;
      verdicts[index] = { text: v.text, result: { unique: false, key: v.result.key, duplicateOf: into, kind: "near", reason: "judged" } };
    }
  };
  for await (const text of lines) {
    const v = dedupLine(text, engine);
    const index = verdicts.push(v) - 1;
    // Other names of a clear new entry (one with candidates may yet be merged by the judge).
    if (v.result.unique && aliases && !v.result.candidates?.length) {
      newEntries.push(text);
      if (newEntries.length >= MAX_ALIAS_ENTRIES) await askAliases();
    }
    if (v.result.unique && v.result.candidates && v.result.candidates.length > 0) {
      const options = v.result.candidates.slice(0, MAX_SELECTOR_OPTIONS).map((c) => c.duplicateOf);
      pending.push({ index, item: { id: `c${pending.length + 1}`, candidate: text, options } });
      if (pending.length >= MAX_SELECTOR_ITEMS) await flush();
    }
  }
  await flush();
  return { verdicts, stats };
}
