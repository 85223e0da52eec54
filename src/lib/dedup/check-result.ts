import type { CandidateMatch } from "./blocking";
import type { DedupOptions } from "./options";
import type { EditKind, SoftReason } from "./typo";

/** Why a candidate is a duplicate. "empty": no letters or digits at all (junk, not a repeat). */
/** "alias": a text merged into an entry before (alias memory, see DedupEngine.addAlias). */
export type DuplicateReason = "same-key" | "alias" | "typo" | "word-order" | "spacing" | "judged" | "empty";

/** An accepted entry that is close to a unique candidate but was kept apart by a guard. */
export interface BorderlineMatch {
  /** The entry the candidate is close to. */
  duplicateOf: string;
  /** The key the candidate would have if it were a typo of that entry (the entry's key). */
  key: string;
  /** The guard that kept them apart. */
  reason: SoftReason;
  /** Typo cost (insertion, deletion, transposition 1; substitution 2, transliterations 1). */
  cost: number;
  /** The kind of edit of the closest changed word, when one word was compared. */
  edit?: EditKind;
}

export type CheckResult =
  /**
   * `candidates` (with options.blocking): the entries a judge should compare it with, at most
   * options.maxCandidates, best first: the borderline band's entries and the blocking sources'.
   */
  | { unique: true; key: string; borderline?: BorderlineMatch[]; candidates?: CandidateMatch[] }
  | { unique: false; key: string; duplicateOf: string; kind: "exact" | "near"; reason?: DuplicateReason };

export interface DedupEngine {
  /** Compares a candidate with the accepted entries; does not change the index. */
  check(candidate: string): CheckResult;
  /** Adds an entry; `key` is the one check() returned. No-op for "" or a key already present. */
  accept(text: string, key?: string): void;
  /** Rebuilds from stored entries (already unique): accept() for each, returns how many were added. */
  acceptMany(texts: Iterable<string>): number;
  /**
   * Takes the entry with this text out of the index (a merge decided later, or a restore's
   * undo); returns false when no entry has this exact text. The entry can be accepted again.
   */
  remove(text: string): boolean;
  /**
   * Alias memory: `alias` (a text merged into `entry` by the engine's caller, a judge or the
   * user) is from now on an exact duplicate of `entry` (reason "alias"). Aliases of a text that is
   * itself merged move to its new entry. False when `entry` is not an accepted entry.
   */
  addAlias(alias: string, entry: string): boolean;
  /**
   * Shows an entry under another text (its display form): same key, or the bare name of a
   * described entry, whose old text then becomes an alias. False when `from` is not an entry's
   * text or `to` names another entry.
   */
  rename(from: string, to: string): boolean;
  /** Forgets an alias (the merge was undone); false when it was not remembered. */
  removeAlias(alias: string): boolean;
  /**
   * A suggested other name of `entry` (a model's or the simulator's): a candidate proposing it
   * gets `entry` among its candidates (source "alias"), for the judge; never a merge by itself.
   * Needs options.blocking.
   */
  suggestAlias(alias: string, entry: string): boolean;
  readonly size: number;
  readonly options: Readonly<DedupOptions>;
  /** Sizes of the indexes (typed arrays, in bytes): what an engine costs in memory. */
  readonly stats: { entries: number; vocabulary: number; wordVariants: number; indexBytes: number };
}
