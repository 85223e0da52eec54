import type { SimModelProfile } from "./models";
import { exhaustion, inventionShare } from "./invent";
import { countTokens } from "./tokens";
import { junkLine, listMarker, noisyVariant, pickListStyle, preambleLine, signoffLine } from "./noise";
import type { SimParams } from "./params";
import type { ParsedPrompt } from "./prompt";
import type { Rng } from "./prng";
import { itemKey, type Universe } from "./universe";

/**
 * The behaviour model of one answer: which items a model lists given what it knows and what
 * the prompt says was already found, and how it writes them down.
 */

/** `invented`: a plausible name that is not in the universe (see invent.ts). */
export type LineKind = "item" | "repeat" | "invented" | "junk" | "preamble" | "signoff" | "blank";

export interface AnswerLine {
  text: string;
  kind: LineKind;
  /** Universe rank for item and repeat lines. */
  rank?: number;
}

export interface Answer {
  text: string;
  lines: AnswerLine[];
}

export interface AnswerInput {
  universe: Universe;
  /** knownRanks() of the answering model. */
  known: Uint8Array;
  /** zipfWeights() of the universe. */
  weights: Float64Array;
  prompt: ParsedPrompt;
  promptTokens: number;
  profile: Pick<SimModelProfile, "repeatRate" | "avoidHalfLifeTokens" | "junkRate">;
  params: Pick<SimParams, "noiseRate" | "preambleRate" | "signoffRate">;
  /** Topic as the answer should mention it. */
  displayTopic: string;
  rng: Rng;
  /**
   * A request focused on a branch: `mask` marks the ranks under the node the branch path names;
   * each item comes from there, except a `spill` share drawn from the rest of the universe (and
   * whatever the node cannot supply). Absent: the whole universe, as an unfocused request.
   */
  focus?: { mask: Uint8Array; spill: number };
  /** Per-rank recall multiplier outside the focus (everywhere when unfocused): long-tail items that need a cue. */
  cue?: Float64Array;
  /**
   * Invention (invent.ts): `rate` is the share of item slots filled with invented names once
   * everything the model knows in scope is listed; `name` draws one. Absent: never invents.
   */
  invent?: { rate: number; name: (rng: Rng) => string };
}

/**
 * Weight a previous entry keeps relative to a fresh item: repeatRate for an empty prompt,
 * rising towards 1 (no avoidance at all) as the prompt grows; half way at avoidHalfLifeTokens.
 */
export function repeatWeight(promptTokens: number, profile: Pick<SimModelProfile, "repeatRate" | "avoidHalfLifeTokens">): number {
  const lost = 1 - Math.pow(2, -Math.max(0, promptTokens) / profile.avoidHalfLifeTokens);
  return profile.repeatRate + (1 - profile.repeatRate) * lost;
}

/** Ranks of the universe items listed as previous entries in the prompt. */
export function previousRanks(universe: Universe, entries: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const e of entries) {
    const r = universe.index.get(itemKey(e));
    if (r !== undefined) out.add(r);
  }
  return out;
}

/** How loosely an answer follows popularity order (sd of the log-rank shuffle). */
export const ORDER_SHUFFLE = 1;

/**
 * Up to `count` distinct known ranks, drawn without replacement with probability proportional
 * to popularity (times repeatWeight for previous entries), via Efraimidis-Spirakis (the
 * `count` largest ln(u)/w). Returned roughly in popularity order, as a model lists the
 * famous ones first: sorted by log rank plus a normal shuffle.
 */
export function drawRanks(known: Uint8Array, weights: Float64Array, previous: ReadonlySet<number>, previousWeight: number, count: number, rng: Rng): number[] {
  // Keep the `count` largest keys in a min-heap: O(n log count), no per-item allocation.
  const heapKey = new Float64Array(count);
  const heapRank = new Int32Array(count);
  let size = 0;
  for (let r = 0; r < known.length; r++) {
    if (known[r] !== 1) continue;
    const w = (weights[r] ?? 0) * (previous.has(r) ? previousWeight : 1);
    if (w <= 0) continue;
    const key = Math.log(1 - rng.next()) / w;
    if (size < count) {
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((heapKey[parent] ?? 0) <= key) break;
        heapKey[i] = heapKey[parent] ?? 0;
        heapRank[i] = heapRank[parent] ?? 0;
        i = parent;
      }
      heapKey[i] = key;
      heapRank[i] = r;
    } else if (count > 0 && key > (heapKey[0] ?? 0)) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (heapKey[right] ?? 0) < (heapKey[left] ?? 0) ? right : left;
        if ((heapKey[child] ?? 0) >= key) break;
        heapKey[i] = heapKey[child] ?? 0;
        heapRank[i] = heapRank[child] ?? 0;
        i = child;
      }
      heapKey[i] = key;
      heapRank[i] = r;
    }
  }
  return Array.from(heapRank.subarray(0, size), (r) => ({ r, order: Math.log(r + 1) + ORDER_SHUFFLE * rng.normal() }))
    .sort((a, b) => a.order - b.order)
    .map((x) => x.r);
}

/**
 * drawRanks with the focus node's items boosted so that, while the node is fresh, a `spill`
 * share of the draws falls outside it. One draw over the whole universe: as the node's items
 * become previous entries (avoided), more of the answer spills over to famous items elsewhere,
 * as a model runs out of members of a narrow subtopic.
 */
function drawFocused(
  known: Uint8Array,
  weights: Float64Array,
  previous: ReadonlySet<number>,
  previousWeight: number,
  count: number,
  focus: { mask: Uint8Array; spill: number },
  cue: Float64Array | undefined,
  rng: Rng,
): number[] {
  let inside = 0;
  let total = 0;
  for (let r = 0; r < weights.length; r++) {
    const w = weights[r] ?? 0;
    total += w;
    if (focus.mask[r] === 1) inside += w;
  }
  const spill = Math.min(Math.max(focus.spill, 1e-6), 1);
  const boost = inside > 0 ? Math.max(1, ((1 - spill) / spill) * ((total - inside) / inside)) : 1;
  const boosted = new Float64Array(weights.length);
  for (let r = 0; r < weights.length; r++) boosted[r] = (weights[r] ?? 0) * (focus.mask[r] === 1 ? boost : (cue?.[r] ?? 1));
  return drawRanks(known, boosted, previous, previousWeight, count, rng);
}

function cued(weights: Float64Array, cue: Float64Array): Float64Array {
  const out = new Float64Array(weights.length);
  for (let r = 0; r < weights.length; r++) out[r] = (weights[r] ?? 0) * (cue[r] ?? 1);
  return out;
}

export function composeAnswer(input: AnswerInput): Answer {
  const { universe, prompt, rng, params, profile } = input;
  const count = prompt.requestSize;
  const previous = previousRanks(universe, prompt.knownEntries);
  // Past what it knows in the asked scope, a model fills slots with plausible inventions.
  const invent = input.invent;
  const inventShare = invent ? inventionShare(invent.rate, exhaustion(input.known, previous, input.focus?.mask)) : 0;
  const slots: Array<"junk" | "invented" | "item"> = Array.from({ length: count }, () =>
    rng.chance(profile.junkRate) ? "junk" : inventShare > 0 && rng.chance(inventShare) ? "invented" : "item",
  );
  const needed = slots.filter((s) => s === "item").length;
  const ranks = input.focus
    ? drawFocused(input.known, input.weights, previous, repeatWeight(input.promptTokens, profile), needed, input.focus, input.cue, rng)
    : drawRanks(input.known, input.cue ? cued(input.weights, input.cue) : input.weights, previous, repeatWeight(input.promptTokens, profile), needed, rng);

  const body: AnswerLine[] = [];
  let next = 0;
  for (const slot of slots) {
    if (slot === "junk") {
      body.push({ text: junkLine(rng, input.displayTopic), kind: "junk" });
      continue;
    }
    const r = slot === "item" ? ranks[next++] : undefined;
    if (r === undefined) {
      // An invention, or a slot past everything the model knows: a model pads its list rather than stop short.
      if (invent && (slot === "invented" || rng.chance(invent.rate))) {
        const name = invent.name(rng);
        body.push({ text: rng.chance(params.noiseRate) ? noisyVariant(name, rng) : name, kind: "invented" });
      }
      continue;
    }
    const name = universe.items[r] ?? "";
    const text = rng.chance(params.noiseRate) ? noisyVariant(name, rng) : name;
    body.push({ text, kind: previous.has(r) ? "repeat" : "item", rank: r });
  }

  const style = pickListStyle(rng);
  const lines: AnswerLine[] = [];
  if (rng.chance(params.preambleRate)) {
    lines.push({ text: preambleLine(rng, body.length, input.displayTopic), kind: "preamble" });
    lines.push({ text: "", kind: "blank" });
  }
  body.forEach((l, i) => lines.push({ ...l, text: listMarker(style, i + 1) + l.text }));
  if (rng.chance(params.signoffRate)) {
    lines.push({ text: "", kind: "blank" });
    lines.push({ text: signoffLine(rng), kind: "signoff" });
  }
  return { text: lines.map((l) => l.text).join("\n"), lines };
}

/**
 * The answer as sent: cut at the first stop sequence found, then at max_tokens. Reasoning sent
 * apart comes first and counts against max_tokens: a long one leaves no answer.
 */
export function writeOut(
  answer: string,
  reasoningApart: string,
  stopSequences: readonly string[],
  maxTokens: number,
): { text: string; reasoning: string; finish: "end" | "length" | "stop_sequence"; stopSequence: string | null } {
  let text = answer;
  let reasoning = reasoningApart;
  let finish: "end" | "length" | "stop_sequence" = "end";
  let stopSequence: string | null = null;
  for (const s of stopSequences) {
    const i = s === "" ? -1 : text.indexOf(s);
    if (i !== -1) {
      text = text.slice(0, i);
      finish = "stop_sequence";
      stopSequence = s;
    }
  }
  if (countTokens(reasoning + text) > maxTokens) {
    const chars = Math.max(0, maxTokens) * 4;
    text = text.slice(0, Math.max(0, chars - reasoning.length));
    reasoning = reasoning.slice(0, chars);
    finish = "length";
    stopSequence = null;
  }
  return { text, reasoning, finish, stopSequence };
}
