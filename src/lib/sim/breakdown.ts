import { resolveLabel, resolvePath, type Hierarchy } from "./hierarchy";
import { inventWord } from "./names";
import { listMarker, pickListStyle } from "./noise";
import type { Rng } from "./prng";
import type { AnswerLine, Answer } from "./respond";

/**
 * A model's answer to "break this branch into narrower subtopics; these already exist: ...".
 * It names the true sub-categories of the branch it knows, bigger ones more reliably, but
 * imperfectly (README, "Breakdown requests"): it re-lists some existing subtopics, names some
 * twice under another wording (overlap), joins two into one (too broad), and adds subtopics
 * that cut across the hierarchy (outside: "Rare birds"), which narrow nothing.
 */

export interface BreakdownProfile {
  /** Chance of naming a (large) true sub-category not yet listed. */
  recall: number;
}

export interface BreakdownRates {
  /** Chance per named sub-category of also naming it again in other words. */
  overlapRate: number;
  /** Chance per answer of a label joining two sub-categories. */
  broadRate: number;
  /** Expected labels per answer that are not in the hierarchy. */
  outsidePerAnswer: number;
  /** Chance per existing subtopic of listing it again despite the prompt. */
  relistRate: number;
}

export const DEFAULT_BREAKDOWN_RATES: BreakdownRates = { overlapRate: 0.12, broadRate: 0.15, outsidePerAnswer: 1, relistRate: 0.08 };

const OUTSIDE_PATTERNS = [
  "Rare {p}",
  "Famous {p}",
  "Endangered {p}",
  "{P} in popular culture",
  "Newly described {p}",
  "Historic {p}",
  "Lesser-known {p}",
  "Record-breaking {p}",
  "{P} named after people",
  "Iconic {p}",
];

const titleCase = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

export interface BreakdownInput {
  hierarchy: Hierarchy;
  path: readonly string[];
  existing: readonly string[];
  count: number;
  profile: BreakdownProfile;
  rates: BreakdownRates;
  rng: Rng;
}

export function composeBreakdown(input: BreakdownInput): Answer {
  const { hierarchy: h, rng, rates } = input;
  const node = resolvePath(h, input.path);
  const p = h.plural;
  const covered = new Set<number>();
  for (const e of input.existing) {
    const r = resolveLabel(h, e, node);
    if (r !== null) covered.add(r);
  }
  const labels: string[] = [];
  // Famous (large) sub-categories first, as real models list them (README, "Breakdown requests").
  const children = h.nodes[node]!.children.map((id) => h.nodes[id]!).sort((a, b) => b.ranks.length - a.ranks.length);
  const median = children[Math.floor(children.length / 2)]?.ranks.length ?? 0;
  for (const c of children) {
    if (covered.has(c.id)) {
      if (rng.chance(rates.relistRate)) labels.push(c.label);
      continue;
    }
    const recall = c.ranks.length >= median ? input.profile.recall : input.profile.recall * 0.7;
    if (!rng.chance(recall)) continue;
    labels.push(rng.chance(0.15) ? c.label.toLowerCase() : c.label);
    if (rng.chance(rates.overlapRate)) labels.push(c.match ? `${titleCase(p)} of ${c.label}` : aliasOf(c.qualifier, c.stem, p));
  }
  if (children.length >= 2 && rng.chance(rates.broadRate)) {
    const a = rng.pick(children);
    const b = rng.pick(children.filter((c) => c !== a));
    labels.push(
      a.match
        ? `${a.label} and ${b.label}`
        : a.qualifier && b.qualifier && a.keyword
          ? `${titleCase(a.qualifier)} and ${b.qualifier} ${titleCase(a.keyword)} ${p}`
          : `${titleCase(a.keyword ?? "")} and ${titleCase(b.keyword ?? "")} ${p}`,
    );
  }
  // A branch with no natural sub-categories still gets an answer: the model makes some up.
  const outside = children.length === 0 ? Math.max(3, input.count - 2) : poissonSmall(rates.outsidePerAnswer, rng);
  const used = new Set(labels.map((l) => l.toLowerCase()));
  for (let i = 0; i < outside; i++) {
    const label = outsideLabel(rng, p, h.nodes[node]!.depth === 0 ? null : h.nodes[node]!.label);
    if (!used.has(label.toLowerCase())) {
      used.add(label.toLowerCase());
      labels.push(label);
    }
  }
  const body = labels.slice(0, input.count);
  const style = pickListStyle(rng);
  const lines: AnswerLine[] = [];
  if (rng.chance(0.5)) lines.push({ text: `Here are ${body.length} narrower subtopics:`, kind: "preamble" }, { text: "", kind: "blank" });
  body.forEach((text, i) => lines.push({ text: listMarker(style, i + 1) + text, kind: "item" }));
  return { text: lines.map((l) => l.text).join("\n"), lines };
}

function aliasOf(qualifier: string | null, stem: string | null, plural: string): string {
  const place = titleCase(stem ?? "");
  return qualifier ? `${titleCase(qualifier)} ${plural} of ${place}` : `${titleCase(plural)} of ${place}`;
}

function outsideLabel(rng: Rng, plural: string, parentLabel: string | null): string {
  if (rng.chance(0.3)) return `${titleCase(inventWord(rng))} ${plural}`;
  const base = parentLabel ? parentLabel.toLowerCase() : plural;
  return rng.pick(OUTSIDE_PATTERNS).replace("{p}", base).replace("{P}", titleCase(base));
}

function poissonSmall(mean: number, rng: Rng): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let prod = rng.next();
  while (prod > limit) {
    k++;
    prod *= rng.next();
  }
  return k;
}
