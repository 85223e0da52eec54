import { parseItems } from "./parse-items";
import { type BuiltPrompt, MESSAGE_OVERHEAD_TOKENS, SYSTEM_PROMPT, lessObviousLines, tagBlock } from "./prompt";
import { estimateTokens } from "./token-count";

// ---- Prompts per branch of the topic tree (src/lib/tree) ----
//
// A call is about one branch: the prompt names the root topic and the branch's path, and its
// known-entries section is chosen for that branch. Breakdown prompts ask for narrower subtopics
// given the ones that exist. The tags below are the contract with the simulator
// (src/lib/sim/prompt.ts `readRequest`); every tag is written by `tagBlock` (./prompt.ts), the
// one place to change when prompt sections get fenced.

/** "Birds of the world > Velmoran birds > Coastal Velmoran birds". */
export function describePath(topic: string, path: readonly string[]): string {
  return [topic, ...path].join(" > ");
}

export const BREAKDOWN_SYSTEM_PROMPT = [
  "You are a meticulous domain expert organising a topic into a tree of narrower subtopics, so that every member of the topic can be found by exploring one subtopic at a time.",
  "Rules:",
  "- One subtopic per line, its name only: no numbering, descriptions or commentary.",
  "- Each subtopic is a proper part of the branch you are given, narrower than it; together with the existing subtopics they should cover the whole branch.",
  "- Split along one dimension only (for example by region, by type or by period): the one that best divides the branch into parts that do not overlap. If subtopics exist, continue along their dimension.",
  "- Name every part along that dimension, the less known ones too, not only the famous ones.",
  "- Never repeat an existing subtopic, nor name one in other words.",
  "Output nothing but the list.",
].join("\n");

export const DEFAULT_SUBTOPICS_PER_BREAKDOWN = 8;

export interface BreakdownPromptInput {
  topic: string;
  /** Labels from the root's first subtopic down to the branch; [] for the root. */
  path: readonly string[];
  /** Subtopics the branch already has. */
  existing: readonly string[];
  count?: number;
}

/** Asks for narrower subtopics of one branch (TreeSynth-style partitioning, with the full parent path as Li et al. 2023 found best). */
export function buildBreakdownPrompt(input: BreakdownPromptInput): { system: string; user: string; promptTokens: number } {
  const count = input.count ?? DEFAULT_SUBTOPICS_PER_BREAKDOWN;
  const user = [
    tagBlock("topic", input.topic),
    tagBlock("branch_path", input.path),
    `Branch: ${describePath(input.topic, input.path)}`,
    "",
    input.existing.length > 0 ? `This branch already has these ${input.existing.length} subtopics:` : "This branch has no subtopics yet.",
    tagBlock("existing_subtopics", input.existing),
    "",
    tagBlock("subtopic_count", String(count)),
    input.existing.length > 0
      ? `List up to ${count} more subtopics of this branch along the same dimension, the ones not listed yet, so that together they cover it. One per line, names only; nothing if none are missing.`
      : `Break this branch into up to ${count} narrower subtopics along one dimension, so that together they cover it. One per line, names only.`,
  ].join("\n");
  return { system: BREAKDOWN_SYSTEM_PROMPT, user, promptTokens: estimateTokens(BREAKDOWN_SYSTEM_PROMPT) + estimateTokens(user) + 2 * MESSAGE_OVERHEAD_TOKENS };
}

/** Completion-token ceiling of a breakdown answer of `count` short labels (a label is ~4-10 tokens). */
export function breakdownMaxTokens(count: number): number {
  return 64 + 12 * count;
}

/** Longest subtopic label kept from an answer (characters). */
export const MAX_SUBTOPIC_LABEL_CHARS = 120;

/** The subtopic labels of a breakdown answer, in order, without exact repeats (dedup proper is the tree's job). */
export function parseBreakdownAnswer(text: string, opts: { truncated?: boolean; max?: number } = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of parseItems(text, opts)) {
    const label = raw.replace(/\s+/g, " ").trim();
    if (label.length === 0 || label.length > MAX_SUBTOPIC_LABEL_CHARS) continue;
    const key = label.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(label);
    if (out.length >= (opts.max ?? 50)) break;
  }
  return out;
}

/** The entries a branch prompt may show, in priority order (src/lib/tree/branch-known-entries.ts `knownEntriesFor`). */
export interface BranchKnownEntries {
  /** Entries found in this branch (its calls and its descendants'), most telling first. */
  own: readonly string[];
  /** The most salient entries of its ancestors and siblings, most salient first. */
  related: readonly string[];
  /** Entries known in the whole run (for the "only part of the list" sentence). */
  totalKnown: number;
}

export interface BranchPromptInput {
  topic: string;
  path: readonly string[];
  requestSize: number;
  known: BranchKnownEntries;
  budgetTokens: number;
  /** Share of the budget reserved for the branch's own entries (the rest rolls over both ways). Default 0.6. */
  ownShare?: number;
  /**
   * Most of the budget the related entries may take. Default: 0.4 at the root, 0.1 in a
   * subtopic, whose exclusion list is its own members (issue 18: short and relevant; the
   * entries of its ancestors that belong to it become its own once its calls re-propose them).
   */
  relatedShare?: number;
  /** Ask explicitly for less obvious members (a prompt variant). */
  lessObvious?: boolean;
}

/**
 * Tokens of known-entry lines, cached: the same entries are shown call after call. Small, as it
 * lives in every producer: a prompt shows a few hundred entries, and at 200,000 entries this
 * cache grew a tree run's producers by several MB over a long run (bench:soak).
 */
const TOKEN_CACHE_MAX = 4_096;
const tokenCache = new Map<string, number>();

/** A line of the known-entries list: its text plus the newline (the conservative estimate). */
function lineTokens(text: string): number {
  return estimateTokens(text) + 1;
}

function cachedLineTokens(text: string): number {
  let t = tokenCache.get(text);
  if (t === undefined) {
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
    t = lineTokens(text);
    tokenCache.set(text, t);
  }
  return t;
}

/**
 * Fills the budget: own entries up to their share, related ones up to theirs, then own ones
 * again with what is left. A narrow branch with few entries gets a short prompt.
 */
export function selectBranchEntries(known: BranchKnownEntries, budgetTokens: number, ownShare = 0.6, relatedShare = 0.4): { texts: string[]; tokens: number } {
  const chosen: string[] = [];
  const seen = new Set<string>();
  let used = 0;
  const fill = (list: readonly string[], limit: number) => {
    let misses = 0;
    for (const text of list) {
      if (seen.has(text)) continue;
      const t = cachedLineTokens(text);
      if (used + t > limit) {
        if (++misses > 8) break;
        continue;
      }
      seen.add(text);
      chosen.push(text);
      used += t;
    }
  };
  const own = budgetTokens * Math.min(1, Math.max(0, ownShare));
  fill(known.own, own);
  fill(known.related, used + budgetTokens * Math.min(1, Math.max(0, relatedShare)));
  fill(known.own, budgetTokens);
  return { texts: chosen, tokens: used };
}

const SUBTOPIC_RELATED_SHARE = 0.1;

/** The item prompt for one branch: root topic, branch path, the branch's known entries. */
export function buildBranchPrompt(input: BranchPromptInput): BuiltPrompt {
  const { topic, path, requestSize } = input;
  const relatedShare = input.relatedShare ?? (path.length > 0 ? SUBTOPIC_RELATED_SHARE : undefined);
  const selection = selectBranchEntries(input.known, input.budgetTokens, input.ownShare, relatedShare);
  const where = describePath(topic, path);
  const total = input.known.totalKnown;
  const head = [
    tagBlock("topic", topic),
    tagBlock("branch_path", path),
    path.length > 0 ? `Focus on this part of the topic only: ${where}. Every item must belong to it.` : "",
    "",
    total === 0
      ? "No entries have been found yet."
      : selection.texts.length < total
        ? `${total} entries have been found so far in the whole topic. The list below shows ${selection.texts.length} of them, those of this part first; the others exist too, so avoid the obvious and favour less common items.`
        : `These ${total} entries have already been found:`,
    "<known_entries>",
  ].join("\n");
  const tail = [
    "</known_entries>",
    "",
    tagBlock("request_size", String(requestSize)),
    `List ${requestSize} more items of ${path.length > 0 ? "this part of the topic" : "the topic"} that are not among the known entries, one per line, names only.`,
    ...(input.lessObvious ? lessObviousLines() : []),
  ].join("\n");
  const list = selection.texts.length > 0 ? selection.texts.join("\n") + "\n" : "";
  const user = `${head}\n${list}${tail}`;
  const fixedTokens = estimateTokens(SYSTEM_PROMPT) + estimateTokens(head) + estimateTokens(tail) + 2 * MESSAGE_OVERHEAD_TOKENS;
  return {
    system: SYSTEM_PROMPT,
    user,
    shown: selection.texts.length,
    shownTexts: selection.texts,
    known: total,
    knownTokens: selection.tokens,
    promptTokens: fixedTokens + selection.tokens,
  };
}
