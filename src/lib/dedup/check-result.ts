import type { DedupOptions } from "./options";
import type { EditKind, SoftReason } from "./typo";

/** Why a candidate is a duplicate. "empty": no letters or digits at all (junk, not a repeat). */
export type DuplicateReason = "same-key" | "typo" | "word-order" | "spacing" | "judged" | "empty";

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
  | { unique: true; key: string; borderline?: BorderlineMatch[] }
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
  readonly size: number;
  readonly options: Readonly<DedupOptions>;
  /** Sizes of the indexes (typed arrays, in bytes): what an engine costs in memory. */
  readonly stats: { entries: number; vocabulary: number; wordVariants: number; indexBytes: number };
}
