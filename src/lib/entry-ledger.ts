import { cleanCandidate } from "./candidate";
import { createDedupEngine, type DedupEngine } from "./dedup";

export type CandidateOutcome = "unique" | "dupExact" | "dupNear" | "junk";

export type Classified =
  | { outcome: "unique"; text: string; key: string }
  /** `previousProposals`: how often the matched entry had been proposed before (for coverage). */
  | { outcome: "dupExact" | "dupNear"; previousProposals: number | undefined }
  | { outcome: "junk" };

/**
 * What the orchestrator knows about a run's entries: the dedup index, the recorded entries
 * in order, and how often each has been proposed. One place decides what a candidate is,
 * for the orchestrator, the routing test and the routing benchmark alike.
 *
 * A unique candidate enters the dedup index at once (so a concurrent duplicate is caught)
 * but is `record`ed only when committed; a duplicate of an entry not yet recorded has no
 * proposal count to bump.
 */
export class EntryLedger {
  readonly texts: string[] = [];
  /** proposals[i]: times texts[i] has been proposed, its first proposal included. */
  readonly proposals: number[] = [];
  private readonly indexByText = new Map<string, number>();

  constructor(readonly engine: DedupEngine = createDedupEngine()) {}

  classify(raw: string): Classified {
    const text = cleanCandidate(raw);
    if (text === null) return { outcome: "junk" };
    const result = this.engine.check(text);
    if (result.key === "") return { outcome: "junk" };
    if (result.unique) {
      this.engine.accept(text, result.key);
      return { outcome: "unique", text, key: result.key };
    }
    const i = this.indexByText.get(result.duplicateOf);
    return { outcome: result.kind === "near" ? "dupNear" : "dupExact", previousProposals: i === undefined ? undefined : this.proposals[i]!++ };
  }

  /** Records an accepted entry (in acceptance order); returns its 1-based sequence number. */
  record(text: string): number {
    this.indexByText.set(text, this.texts.length);
    this.texts.push(text);
    this.proposals.push(1);
    return this.texts.length;
  }

  /** Loads an entry stored earlier: into the index (key recomputed by this engine) and the record. */
  load(text: string): void {
    this.engine.accept(text);
    this.record(text);
  }
}
