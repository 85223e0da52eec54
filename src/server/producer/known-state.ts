import { createDedupEngine, type DedupEngine } from "../../lib/dedup";
import type { Assignment, Delta, SyncResult } from "../../lib/protocol";
import { KnownEntries } from "../../lib/prompt";

/**
 * What the producer knows of the run: every accepted entry (from the deltas of each
 * answer), the latest assignment, and whether the run goes on. Answers may arrive out of
 * order (a submit acknowledged after a newer sync): entries are keyed by seq and the
 * cursor only moves forward.
 */
export class KnownState {
  readonly entries = new KnownEntries();
  private readonly dedup: DedupEngine = createDedupEngine();
  /** Highest seq held (the protocol's sinceSeq). */
  cursor = 0;
  /** A delta was capped: sync again from `cursor`. */
  needsSync = false;
  keepGoing = true;
  assignment: Assignment | null = null;

  apply(result: SyncResult): void {
    this.keepGoing = this.keepGoing && result.keepGoing;
    this.assignment = result.assignment;
    this.applyDelta(result.delta);
  }

  private applyDelta(delta: Delta): void {
    for (const e of delta.entries) {
      if (this.entries.add(e.seq, e.text)) this.dedup.accept(e.text);
    }
    if (delta.nextSeq >= this.cursor) {
      this.cursor = delta.nextSeq;
      this.needsSync = delta.more;
    }
  }

  /**
   * Notes a candidate the model just proposed: if it duplicates a known entry, that entry
   * counts as re-proposed (the prompt builder shows such entries first).
   */
  noteCandidate(candidate: string): void {
    const check = this.dedup.check(candidate);
    if (!check.unique) this.entries.noteReproposal(check.duplicateOf);
  }
}
