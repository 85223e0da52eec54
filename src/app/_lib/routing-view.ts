/**
 * Pure view logic of routing: the coverage line, routing decisions (old -> new weights and
 * their later score) and how many decisions improved the run. Inputs are the live snapshot's
 * `routing` part, stored samples and stored events, all read defensively (plain JSON).
 */
import { coverageFigures, type CoverageNow } from "../../lib/run-view";
import { formatInt, formatPercent } from "./format";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function finite(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

// ---- coverage ------------------------------------------------------------------------------

export type CoverageLine = {
  /** "About 42% of an estimated 1,234 found". */
  text: string;
  percent: string;
  estimatedTotal: string;
  /** "likely 1,100–1,500"; "at least 1,100" when the data cannot bound the total; null without a band. */
  band: string | null;
  /** "fitted on 40 entries" when the run has found many more since the last fit; else null. */
  basis: string | null;
  /** "Chao1", "Zipf fit", or null when unknown. */
  methodLabel: string | null;
  /** One or two sentences on how the figure is made and how far to trust it. */
  note: string;
};

const METHOD_LABELS: Record<string, string> = { chao1: "Chao1", zipf: "Zipf fit" };

const METHOD_NOTES: Record<string, string> = {
  chao1:
    "Chao1: infers the entries not yet seen from how many were proposed exactly once and exactly twice. LLMs keep naming the famous entries, so this tends to underestimate the total.",
  zipf: "Zipf fit: fits a power-law popularity of entries to how often each was re-proposed, and reads off the total. Prompts that list known entries suppress repeats, so treat the band as optimistic.",
};

const GENERAL_NOTE =
  "Estimated from how often the LLMs re-propose entries already found; it counts what these models would produce, not the topic's true size.";

/**
 * The run's coverage (its RunView's, src/lib/run-view.ts) as one readable line; null when there
 * is none (yet). The figures are coverageFigures', as in the tree header and the CLI.
 */
export function coverageLine(c: CoverageNow | null | undefined): CoverageLine | null {
  if (!c || !Number.isFinite(c.coverage)) return null;
  const { percent, estimatedTotal } = coverageFigures(c);
  const text = `About ${percent} of an estimated ${estimatedTotal} found`;
  let band: string | null = null;
  if (c.low !== null && c.high !== null) band = `likely ${formatInt(c.low)}–${formatInt(c.high)}`;
  else if (c.low !== null) band = `at least ${formatInt(c.low)} (no upper bound yet)`;
  // The unseen entries are refitted about every 30 s; say what a fit far behind rests on.
  const stale = c.found - c.fittedOn >= 20 && c.found > c.fittedOn * 1.2;
  const basis = stale ? `fitted on ${formatInt(c.fittedOn)} entries` : null;
  const note = [
    c.method !== null ? (METHOD_NOTES[c.method] ?? `Method: ${c.method}.`) : null,
    GENERAL_NOTE,
    band !== null ? "The band is a 95% confidence interval on the total." : null,
    `Last fitted on ${formatInt(c.fittedOn)} distinct entries; refitted about every 30 s, the entries found since added to the total.`,
  ]
    .filter((s): s is string => s !== null)
    .join(" ");
  return { text, percent, estimatedTotal, band, basis, methodLabel: c.method !== null ? (METHOD_LABELS[c.method] ?? c.method) : null, note };
}

// ---- routing decisions ---------------------------------------------------------------------

export const ROUTING_UPDATE = "routing.update";

export type WeightChange = { target: string; from: number | null; to: number | null };

export type DecisionOutcome = { state: "pending" } | { state: "insufficient" } | { state: "improved" | "worse"; score: number; metric: string | null };

export type RoutingDecisionView = {
  strategy: string | null;
  /** Targets whose weight moved, biggest move first; at most `maxChanges`. */
  changes: WeightChange[];
  /** Targets that moved but were left out of `changes`. */
  more: number;
  outcome: DecisionOutcome;
};

function weightsOf(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(v)) return out;
  for (const [k, w] of Object.entries(v)) {
    const n = finite(w);
    if (n !== null) out[k] = n;
  }
  return out;
}

/** Moves smaller than this (half a percentage point) are rounding, not a decision. */
const MIN_MOVE = 0.005;

/**
 * A `routing.update` event as old -> new weights and its score. The score arrives about a
 * minute later: in the `score` column, with the details (improved, sufficient) in `data.outcome`.
 */
export function routingDecisionView(e: { kind: string; data: unknown; score: number | null }, maxChanges = 4): RoutingDecisionView | null {
  if (e.kind !== ROUTING_UPDATE) return null;
  const data = isRecord(e.data) ? e.data : {};
  const before = weightsOf(data.oldWeights);
  const after = weightsOf(data.newWeights);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const moved = keys
    .map((target) => ({ target, from: before[target] ?? null, to: after[target] ?? null }))
    .filter((c) => Math.abs((c.to ?? 0) - (c.from ?? 0)) >= MIN_MOVE)
    .sort((a, b) => Math.abs((b.to ?? 0) - (b.from ?? 0)) - Math.abs((a.to ?? 0) - (a.from ?? 0)) || a.target.localeCompare(b.target));
  return {
    strategy: typeof data.strategy === "string" ? data.strategy : null,
    changes: moved.slice(0, maxChanges),
    more: Math.max(0, moved.length - maxChanges),
    outcome: decisionOutcome(data.outcome, e.score),
  };
}

function decisionOutcome(raw: unknown, score: number | null): DecisionOutcome {
  const o = isRecord(raw) ? raw : null;
  if (!o && score === null) return { state: "pending" };
  if (o?.sufficient === false) return { state: "insufficient" };
  const value = finite(o?.score) ?? score;
  if (value === null) return { state: "pending" };
  const improved = typeof o?.improved === "boolean" ? o.improved : value > 0;
  return { state: improved ? "improved" : "worse", score: value, metric: typeof o?.metric === "string" ? o.metric : null };
}

/** A relative change as a signed percentage: 0.124 -> "+12%", -0.05 -> "−5%". */
export function formatSignedPercent(x: number): string {
  const pct = Math.round(x * 100);
  if (pct === 0) return "±0%";
  return pct > 0 ? `+${pct}%` : `−${Math.abs(pct)}%`;
}

/** How a decision's outcome reads next to it. */
export function outcomeLabel(o: DecisionOutcome): string {
  switch (o.state) {
    case "pending":
      return "not scored yet";
    case "insufficient":
      return "too few calls to score";
    case "improved":
      return `improved ${formatSignedPercent(o.score)}`;
    case "worse":
      return `not improved ${formatSignedPercent(o.score)}`;
  }
}

// ---- effectiveness -------------------------------------------------------------------------

export type Effectiveness = { decisions: number; scored: number; improved: number; rate: number | null };

/** For a past run: the figures the optimiser would report, counted from its stored decisions. */
export function effectivenessFromEvents(events: ReadonlyArray<{ kind: string; data: unknown; score: number | null }>): Effectiveness {
  let decisions = 0;
  let scored = 0;
  let improved = 0;
  for (const e of events) {
    const view = routingDecisionView(e);
    if (!view) continue;
    decisions++;
    if (view.outcome.state === "improved" || view.outcome.state === "worse") scored++;
    if (view.outcome.state === "improved") improved++;
  }
  return { decisions, scored, improved, rate: scored > 0 ? improved / scored : null };
}

/** "3 of 5 scored decisions improved the yield (60%)", or why there is nothing to say yet. */
export function effectivenessText(e: Effectiveness | null | undefined): string {
  if (!e || e.decisions === 0) return "No routing decision yet.";
  if (e.scored === 0) return `${formatInt(e.decisions)} routing decision${e.decisions === 1 ? "" : "s"}, none scored yet (each is scored a minute later).`;
  const rate = e.rate ?? e.improved / e.scored;
  return `${formatInt(e.improved)} of ${formatInt(e.scored)} scored decision${e.scored === 1 ? "" : "s"} improved the yield (${formatPercent(rate, 0)}).`;
}
