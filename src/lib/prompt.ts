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
 * The accepted entries the producer knows, in acceptance (seq) order, with what the prompt
 * builder needs: cached token counts and how often this producer's model re-proposed each.
 *
 * Unbounded by default (every entry kept). After `retain(tokens)` it keeps only what a prompt
 * with a budget up to `tokens` can show, so a producer's memory stops growing with the run:
 * the earliest entries (up to `tokens`), the most recent ones (up to `tokens`, older ones
 * dropped as new ones arrive) and the re-proposed ones (at most MAX_REPROPOSED). `size` still
 * counts every entry. Within such a budget `select` chooses what it would with every entry
 * kept: the earliest section never reaches past the first block, the most recent section
 * never past the last one.
 */
export class KnownEntries {
  /** Entries 0..early.length-1, kept for good. */
  private readonly early: string[] = [];
  private readonly earlyTokens: number[] = [];
  /** Entries after the early block: late[k] is entry lateStart + k; kept from lateHead on. */
  private late: string[] = [];
  private lateTokens: number[] = [];
  private lateStart = 0;
  private lateHead = 0;
  private earlySum = 0;
  private lateSum = 0;
  private n = 0;
  private retainTokens = Number.POSITIVE_INFINITY;
  private readonly reproposals = new Map<number, number>();
  /** Texts of re-proposed entries no longer in either block. */
  private readonly pinned = new Map<number, string>();
  /** Index of each kept entry by text. */
  private readonly indexByText = new Map<string, number>();
  private readonly seqs = new SeqSet();

  /** `count`: how entries and the prompt are counted (default: the conservative estimate). */
  constructor(readonly count: TokenCounter = estimateTokens) {}

  /** Every entry known, kept or not. */
  get size(): number {
    return this.n;
  }

  private get bounded(): boolean {
    return this.retainTokens !== Number.POSITIVE_INFINITY;
  }

  /**
   * From now on keep only what a budget of up to `tokens` can show (the largest value given
   * wins). Entries already dropped are not brought back.
   */
  retain(tokens: number): void {
    if (!this.bounded) {
      this.retainTokens = 0;
      for (let i = 0; i < this.early.length; i++) this.earlySum += this.tokensAt(i);
    }
    this.retainTokens = Math.max(this.retainTokens, Math.max(0, tokens));
  }

  /** Add an accepted entry; a seq seen before is ignored (deltas may overlap). */
  add(seq: number, text: string): boolean {
    if (!this.seqs.add(seq)) return false;
    const i = this.n++;
    this.indexByText.set(text, i);
    if (!this.bounded) {
      this.early.push(text);
      this.earlyTokens.push(-1);
      return true;
    }
    const t = this.count(text) + 1;
    if (this.late.length === 0 && this.earlySum < this.retainTokens) {
      this.early.push(text);
      this.earlyTokens.push(t);
      this.earlySum += t;
      return true;
    }
    if (this.late.length === 0) this.lateStart = i;
    this.late.push(text);
    this.lateTokens.push(t);
    this.lateSum += t;
    while (this.lateHead < this.late.length - 1 && this.lateSum - this.lateTokens[this.lateHead]! >= this.retainTokens) this.drop();
    return true;
  }

  /** Drops the oldest entry of the late block. */
  private drop(): void {
    const k = this.lateHead++;
    const i = this.lateStart + k;
    const text = this.late[k]!;
    this.lateSum -= this.lateTokens[k]!;
    if (this.indexByText.get(text) === i) this.indexByText.delete(text);
    if (this.reproposals.has(i)) this.pinned.set(i, text);
    if (this.lateHead > 1024 && this.lateHead * 2 > this.late.length) {
      this.late = this.late.slice(this.lateHead);
      this.lateTokens = this.lateTokens.slice(this.lateHead);
      this.lateStart += this.lateHead;
      this.lateHead = 0;
    }
  }

  private get dropped(): boolean {
    return this.late.length > 0 && this.lateStart + this.lateHead > this.early.length;
  }

  private kept(i: number): boolean {
    return i < this.early.length || (i >= this.lateStart + this.lateHead && i < this.n);
  }

  has(text: string): boolean {
    return this.indexByText.has(text);
  }

  /** The model proposed `entryText` again (a duplicate of this known entry). */
  noteReproposal(entryText: string): void {
    const i = this.indexByText.get(entryText);
    if (i !== undefined) this.bump(i);
  }

  /**
   * The model proposed a duplicate of entry `index` (acceptance order, 0-based), written as
   * `text`: shown that way if the entry itself is no longer kept.
   */
  noteReproposalAt(index: number, text: string): void {
    if (index < 0 || index >= this.n) return;
    if (!this.kept(index) && !this.pinned.has(index)) this.pinned.set(index, text);
    this.bump(index);
  }

  private bump(i: number): void {
    this.reproposals.set(i, (this.reproposals.get(i) ?? 0) + 1);
    if (!this.bounded || this.reproposals.size <= MAX_REPROPOSED) return;
    // Forget the least re-proposed quarter (oldest first among equals).
    const order = [...this.reproposals.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [j] of order.slice(0, MAX_REPROPOSED / 4)) {
      this.reproposals.delete(j);
      this.pinned.delete(j);
    }
  }

  textAt(i: number): string {
    if (i < this.early.length) return this.early[i] ?? "";
    return (this.kept(i) ? this.late[i - this.lateStart] : this.pinned.get(i)) ?? "";
  }

  tokensAt(i: number): number {
    if (i < this.early.length) {
      let t = this.earlyTokens[i] ?? -1;
      if (t < 0) {
        // Its text plus the newline.
        t = this.count(this.early[i] ?? "") + 1;
        this.earlyTokens[i] = t;
      }
      return t;
    }
    if (this.kept(i)) return this.lateTokens[i - this.lateStart] ?? 0;
    return this.count(this.pinned.get(i) ?? "") + 1;
  }

  /** Every kept entry (all of them unless bounded), in seq order (the naive strategy). */
  all(): { texts: string[]; tokens: number } {
    let tokens = 0;
    const texts: string[] = [];
    for (const i of this.ascending()) {
      tokens += this.tokensAt(i);
      texts.push(this.textAt(i));
    }
    return { texts, tokens };
  }

  /**
   * The entries to show within `budgetTokens`, in seq order. All of them if they fit;
   * otherwise re-proposed, then earliest, then most recent, by `shares` (module comment).
   */
  select(budgetTokens: number, shares: SelectionShares = DEFAULT_SHARES): { texts: string[]; tokens: number } {
    const n = this.n;
    if (budgetTokens <= 0 || n === 0) return { texts: [], tokens: 0 };
    let total = 0;
    for (const i of this.ascending()) {
      total += this.tokensAt(i);
      if (total > budgetTokens) break;
    }
    // Entries are dropped only once the kept ones exceed the retained budget.
    if (total <= budgetTokens && !this.dropped) return this.all();

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
    fill((budgetTokens * (shares.reproposed + shares.earliest)) / sum, this.ascending());
    fill(budgetTokens, this.descending());

    const indices = [...chosen].sort((a, b) => a - b);
    return { texts: indices.map((i) => this.textAt(i)), tokens: used };
  }

  /** Kept entries, earliest first. */
  private *ascending(): Generator<number> {
    for (let i = 0; i < this.early.length; i++) yield i;
    for (let k = this.lateHead; k < this.late.length; k++) yield this.lateStart + k;
  }

  /** Kept entries, most recent first. */
  private *descending(): Generator<number> {
    for (let k = this.late.length - 1; k >= this.lateHead; k--) yield this.lateStart + k;
    for (let i = this.early.length - 1; i >= 0; i--) yield i;
  }
}

/** Re-proposed entries a bounded KnownEntries remembers. */
export const MAX_REPROPOSED = 1024;

/** Seqs seen: a bit per seq (they are dense from 1), a Set for any beyond 2^27. */
class SeqSet {
  private bits = new Uint8Array(1024);
  private readonly far = new Set<number>();

  /** False if `seq` was there already. */
  add(seq: number): boolean {
    if (!Number.isInteger(seq) || seq < 0 || seq >= 2 ** 27) {
      if (this.far.has(seq)) return false;
      this.far.add(seq);
      return true;
    }
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const bit = 1 << (seq & 7);
    if (this.bits[byte]! & bit) return false;
    this.bits[byte]! |= bit;
    return true;
  }
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
  /** The entries shown, as listed: an answer that repeats them has run out (src/lib/trust/answer-trust.ts). */
  shownTexts: readonly string[];
  known: number;
  /** Tokens of the known-entries list and of the whole prompt (system + user), by `known.count`. */
  knownTokens: number;
  promptTokens: number;
}

/** Per-message overhead of the chat formats (role markers), as OpenAI documents it. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { topic, requestSize, known } = input;
  const selection = (input.strategy ?? "budgeted") === "naive" ? known.all() : known.select(input.budgetTokens, input.shares);
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
    shownTexts: selection.texts,
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
