import { estimateTokens, type TokenCounter } from "./token-count";

/**
 * The producer's prompt: a system prompt for exhaustive, canonical, one-per-line items and a
 * user prompt carrying the topic, the entries already found (within a token budget) and the
 * number of items wanted. The `<topic>`, `<known_entries>` and `<request_size>` tags are
 * part of the contract with the simulator, and good delimiters for real models too.
 *
 * Tokens are counted for o200k_base (the GPT-4o/4.1/5 encoding) by `estimateTokens`, a
 * conservative estimate that needs no 70 MB rank table (`./token-count.ts`); tests and benches
 * can pass gpt-tokenizer's exact count instead. For Claude and other models it is an
 * approximation, but of the right order, unlike characters/4 which is badly off for non-Latin
 * scripts.
 *
 * Choosing what to show when the known entries exceed the budget
 * ----------------------------------------------------------------
 * A model proposes the entries it finds most salient first; once those are known, what it
 * wastes calls on are re-proposals of salient entries it was not shown. So the budget goes,
 * in this order, to:
 *  1. the entries this producer's model has re-proposed (counted locally from its own
 *     duplicate candidates), most re-proposed first: direct evidence of what it will say again;
 *  2. the earliest entries: the first found are the most salient ones on the topic, the ones
 *     any model is most likely to repeat;
 *  3. the most recent entries (found by any producer since the last calls): news this model
 *     has not seen, at the frontier it is likely to reach next.
 * Shares are configurable (`SelectionShares`, default 45/40/15 %); a section's unused share
 * rolls over to the next. On the simulator, re-proposed and earliest entries are worth more
 * than recent ones (bench/llm.ts). The prompt then says that it shows only part of the list,
 * so a real model knows that absence from the list does not mean "new", and steers away from
 * the obvious.
 */

export const SYSTEM_PROMPT = [
  "You are a meticulous domain expert helping to build an exhaustive, encyclopedic list of every item that belongs to a topic.",
  "Rules for each item you write:",
  "- One item per line. Write only the item's name: no numbering, bullets, markdown, quotes, descriptions, explanations or commentary.",
  "- Use the item's canonical, most widely recognised full name, in English where an English name exists; otherwise its usual name in its original language.",
  "- Be specific: individual members of the topic, not categories, groups or generic descriptions.",
  "- Every item must be new: not in the known entries, and not a spelling variant, translation, abbreviation, plural or sub-part of a known entry or of another item you write.",
  "- Prefer less obvious items once the obvious ones are known; never invent items that do not exist. If fewer new items exist than requested, write fewer lines.",
  "Output nothing but the list.",
].join("\n");

/**
 * Text from users and models (the topic, known entries) made safe to put between the
 * prompt's tags: nothing in it can open or close a section. Every `<` that starts a tag
 * (`<x`, `</x`) becomes `&lt;`, an escape models read as "<"; line breaks become spaces, so
 * an entry stays one line of the list. Other text, `AT&T` or `a < b`, is left as it is:
 * the simulator and real models see entries verbatim.
 */
export function escapePromptText(text: string): string {
  return text.replace(/<(?=\/?[\p{L}_!?])/gu, "&lt;").replace(/[\r\n\u2028\u2029]+/g, " ");
}

export type PromptStrategy = "budgeted" | "naive";

/** Fractions of the known-entries budget for each section (see the module comment). */
export interface SelectionShares {
  reproposed: number;
  earliest: number;
  recent: number;
}

export const DEFAULT_SHARES: SelectionShares = { reproposed: 0.45, earliest: 0.4, recent: 0.15 };


/**
 * Every accepted entry the producer holds, in acceptance (seq) order, with what the prompt
 * builder needs: cached token counts and how often this producer's model re-proposed each.
 */
export class KnownEntries {
  private readonly texts: string[] = [];
  private readonly tokens: number[] = [];
  private readonly reproposals = new Map<number, number>();
  private readonly indexByText = new Map<string, number>();
  private readonly seqs = new Set<number>();

  /** `count`: how entries and the prompt are counted (default: the conservative estimate). */
  constructor(readonly count: TokenCounter = estimateTokens) {}

  get size(): number {
    return this.texts.length;
  }

  /** Add an accepted entry; a seq seen before is ignored (deltas may overlap). */
  add(seq: number, text: string): boolean {
    if (this.seqs.has(seq)) return false;
    this.seqs.add(seq);
    this.indexByText.set(text, this.texts.length);
    this.texts.push(text);
    this.tokens.push(-1);
    return true;
  }

  has(text: string): boolean {
    return this.indexByText.has(text);
  }

  /** The model proposed `entryText` again (a duplicate of this known entry). */
  noteReproposal(entryText: string): void {
    const i = this.indexByText.get(entryText);
    if (i !== undefined) this.reproposals.set(i, (this.reproposals.get(i) ?? 0) + 1);
  }

  textAt(i: number): string {
    return this.texts[i] ?? "";
  }

  tokensAt(i: number): number {
    let t = this.tokens[i] ?? -1;
    if (t < 0) {
      // Its text plus the newline.
      t = this.count(this.texts[i] ?? "") + 1;
      this.tokens[i] = t;
    }
    return t;
  }

  /** Every entry, in seq order (the naive strategy). */
  all(): { texts: string[]; tokens: number } {
    let tokens = 0;
    for (let i = 0; i < this.texts.length; i++) tokens += this.tokensAt(i);
    return { texts: [...this.texts], tokens };
  }

  /**
   * The entries to show within `budgetTokens`, in seq order. All of them if they fit;
   * otherwise re-proposed, then earliest, then most recent, by `shares` (module comment).
   */
  select(budgetTokens: number, shares: SelectionShares = DEFAULT_SHARES): { texts: string[]; tokens: number } {
    const n = this.texts.length;
    if (budgetTokens <= 0 || n === 0) return { texts: [], tokens: 0 };
    let total = 0;
    for (let i = 0; i < n && total <= budgetTokens; i++) total += this.tokensAt(i);
    if (total <= budgetTokens) return this.all();

    const chosen = new Set<number>();
    let used = 0;
    const sum = shares.reproposed + shares.earliest + shares.recent || 1;
    // Each section fills up to a cumulative limit, so a section's unused share rolls over.
    const fill = (limit: number, order: Iterable<number>) => {
      let misses = 0;
      for (const i of order) {
        if (chosen.has(i)) continue;
        const t = this.tokensAt(i);
        if (used + t > limit) {
          // A long entry may not fit where a shorter one would; give up after a few misses.
          if (++misses > 8) break;
          continue;
        }
        chosen.add(i);
        used += t;
      }
    };
    const reproposed = [...this.reproposals.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0]).map(([i]) => i);
    fill((budgetTokens * shares.reproposed) / sum, reproposed);
    fill((budgetTokens * (shares.reproposed + shares.earliest)) / sum, ascending(n));
    fill(budgetTokens, descending(n));

    const indices = [...chosen].sort((a, b) => a - b);
    return { texts: indices.map((i) => this.texts[i] ?? ""), tokens: used };
  }
}

function* descending(n: number): Generator<number> {
  for (let i = n - 1; i >= 0; i--) yield i;
}
function* ascending(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

export interface PromptInput {
  topic: string;
  requestSize: number;
  known: KnownEntries;
  /** Token budget for the known-entries list (ignored by the naive strategy). */
  budgetTokens: number;
  strategy?: PromptStrategy;
  shares?: SelectionShares;
  /** Ask for less obvious members (a prompt variant, src/lib/tree/variants.ts). */
  lessObvious?: boolean;
}

export interface BuiltPrompt {
  system: string;
  user: string;
  /** Entries shown in the prompt / entries known. */
  shown: number;
  known: number;
  /** Tokens of the known-entries list and of the whole prompt (system + user), by `known.count`. */
  knownTokens: number;
  promptTokens: number;
}

/** Per-message overhead of the chat formats (role markers), as OpenAI documents it. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { topic, requestSize, known } = input;
  const selection =
    (input.strategy ?? "budgeted") === "naive" ? known.all() : known.select(input.budgetTokens, input.shares);
  const partial = selection.texts.length < known.size;

  const head = [
    `<topic>${escapePromptText(topic)}</topic>`,
    "",
    known.size === 0
      ? "No entries have been found yet."
      : partial
        ? `${known.size} entries have been found so far. For space, the list below shows only ${selection.texts.length} of them (the most often repeated, the first found and the latest); the others exist too, so avoid the obvious and favour less common items.`
        : `These ${known.size} entries have already been found:`,
    "<known_entries>",
  ].join("\n");
  const tail = [
    "</known_entries>",
    "",
    `<request_size>${requestSize}</request_size>`,
    `List ${requestSize} more items for the topic that are not among the known entries, one per line, names only.`,
    ...(input.lessObvious ? lessObviousLines() : []),
  ].join("\n");
  const list = selection.texts.length > 0 ? selection.texts.map(escapePromptText).join("\n") + "\n" : "";
  const user = `${head}\n${list}${tail}`;

  const count = known.count;
  const fixedTokens = count(SYSTEM_PROMPT) + count(head) + count(tail) + 2 * MESSAGE_OVERHEAD_TOKENS;
  return {
    system: SYSTEM_PROMPT,
    user,
    shown: selection.texts.length,
    known: known.size,
    knownTokens: selection.tokens,
    promptTokens: fixedTokens + selection.tokens,
  };
}

/**
 * A completion-token ceiling for `requestSize` items: ~20 tokens an item covers long names
 * (a cut answer only loses its last line); 200 items stay within a 4k output limit.
 */
export function maxTokensFor(requestSize: number): number {
  return Math.min(16_000, 64 + requestSize * 20);
}

/** One tagged section of a prompt. Multi-line bodies go one item per line. */
export function tagBlock(tag: string, body: string | readonly string[]): string {
  const text = typeof body === "string" ? body : body.join("\n");
  return typeof body === "string" && !text.includes("\n") ? `<${tag}>${text}</${tag}>` : `<${tag}>\n${text}${text ? "\n" : ""}</${tag}>`;
}

/** The "less obvious members" instruction of a prompt variant. */
export function lessObviousLines(): string[] {
  return [tagBlock("prefer", "less_obvious"), "Favour less obvious, lesser-known members that a quick list would miss; they must still be real members."];
}
