import { canonicalKey } from "../../lib/dedup/canonical-key";
import { HashMultimap, hashString } from "../../lib/dedup/hash-multimap";
import type { Assignment, Delta, SyncResult } from "../../lib/protocol";
import { KnownEntries } from "../../lib/prompt";

/**
 * Tokens of known entries kept per block, for a prompt budget: a little over the budget, so
 * that entries a section skips (too long to fit) do not run it short.
 */
export function retainedTokens(promptBudgetTokens: number): number {
  return Math.ceil(promptBudgetTokens * 1.25) + 200;
}

/**
 * What the producer knows of the run: the accepted entries (from the deltas of each
 * answer) that a prompt can show, the latest assignment, and whether the run goes on.
 * Answers may arrive out of order (a submit acknowledged after a newer sync): entries are
 * keyed by seq and the cursor only moves forward.
 *
 * Bounded (the default): entries are kept only as far as the assignment's prompt budget can
 * show them (KnownEntries.retain), and re-proposals are spotted by the canonical key's hash
 * (~11 bytes an entry, where a dedup engine over every entry cost ~1 KB). A hash collision
 * only miscounts a re-proposal; the orchestrator's dedup is the authority.
 */
export class KnownState {
  readonly entries = new KnownEntries();
  /** hashString(canonicalKey(text)) -> the entry's index in acceptance order. */
  private readonly keys = new HashMultimap(1 << 12);
  /** Highest seq held (the protocol's sinceSeq). */
  cursor = 0;
  /** A delta was capped: sync again from `cursor`. */
  needsSync = false;
  keepGoing = true;
  assignment: Assignment | null = null;

  /** `bounded: false` keeps every entry (the naive prompt strategy shows them all). */
  constructor(private readonly opts: { bounded: boolean } = { bounded: true }) {}

  apply(result: SyncResult): void {
    this.keepGoing = this.keepGoing && result.keepGoing;
    this.assignment = result.assignment;
    if (this.opts.bounded && result.keepGoing) this.entries.retain(retainedTokens(result.assignment.promptBudgetTokens));
    this.applyDelta(result.delta);
  }

  private applyDelta(delta: Delta): void {
    for (const e of delta.entries) {
      const index = this.entries.size;
      if (this.entries.add(e.seq, e.text)) this.keys.add(hashString(canonicalKey(e.text)), index);
    }
    if (delta.nextSeq >= this.cursor) {
      this.cursor = delta.nextSeq;
      this.needsSync = delta.more;
    }
  }

  /**
   * Notes a candidate the model just proposed: if it has the canonical key of a known entry,
   * that entry counts as re-proposed (the prompt builder shows such entries first).
   */
  noteCandidate(candidate: string, key = canonicalKey(candidate)): void {
    const slot = this.keys.first(hashString(key));
    if (slot !== -1) this.entries.noteReproposalAt(this.keys.valueAt(slot), candidate);
  }
}
