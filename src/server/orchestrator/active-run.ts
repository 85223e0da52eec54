import { cleanCandidate } from "../../lib/candidate";
import { canonicalKey } from "../../lib/dedup";
import type { CandidateOutcome, EntryLedger } from "../../lib/entry-ledger";
import { errorMessage } from "../../lib/errors";
import { MAX_DELTA_ENTRIES, type CallRecord, type Delta, type SubmitInput } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import type { RunConfig } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import { EventBus } from "../../lib/event-bus";
import { BatchOnce, CallTallies, type BatchOutcome } from "./batch-memory";
import { EntryWriter } from "./entry-writer";
import type { JudgeQueue } from "./judge-queue";
import { SideCalls } from "./side-calls";
import type { VerifyQueue } from "./verify-queue";
import type { RunMetrics } from "./metrics";
import { callObservation, type Optimizer } from "../../lib/routing/optimizer";
import type { OutputFile } from "./output-file";
import type { DecisionRow, EntryRow, RunTotals, SupportRow } from "./repo";
import { SupportBook } from "../../lib/trust/support";
import { RunTree, type RunTreeDeps } from "./run-tree";
import type { RunEventMap, RunEvents, SpendSource } from "./run-events";
import type { ModeChange } from "./run-state";

export type NewestEntry = { seq: number; text: string; producer: string; target: string; at: number };

/** What a run is opened with (open-run.ts builds it from the DB); every part is final. */
export type ActiveRunParts = {
  id: string;
  readonly slug: string;
  config: RunConfig;
  /** The mode stored for the run (a re-attached run is already `running`). */
  mode: RunMode;
  /** sha256 of the producers' secret. */
  secretHash: string;
  startedAt: number;
  /** Dedup index and committed entries, loaded from the DB. */
  ledger: EntryLedger;
  /** The highest seq ever used (repo.maxUsedSeq): new entries are numbered after it. */
  maxUsedSeq?: number;
  metrics: RunMetrics;
  totalCandidates: number;
  costUsd: number;
  /** Stretches before this one, all closed (open-run.ts); none for a new run. */
  earlier?: { firstStartedAt: number | null; activeMs: number; stretches: import("../../lib/stretches").Stretch[] };
  optimizer: Optimizer;
  output: OutputFile;
  /** Writes committed rows, the dedup decisions made on them and support changes of earlier rows to the DB (repo.commitEntries). */
  insert: (rows: EntryRow[], decisions: DecisionRow[], supports: SupportRow[]) => Promise<void>;
  /** Support per entry, loaded with the entries (a new run: empty). */
  support?: SupportBook;
  /** Stores entries shown under another text, their display form (repo.renameEntries). */
  rename?: (changes: { seq: number; text: string; normalisedKey: string }[]) => Promise<void>;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** Tree runs: the topic tree's parts (its spend is added to the run's). */
  tree: RunTreeDeps | null;
  /** Builds the run's dedup judge (it subscribes to the run's commits, merges through the run), or undefined when it is off. */
  makeJudge?: (run: ActiveRun) => JudgeQueue | undefined;
  /** Builds the run's verifier (it subscribes to the run's commits, rejects through the run), or undefined when it is off. */
  makeVerifier?: (run: ActiveRun) => VerifyQueue | undefined;
  /** Texts of entries rejected by verification: they stay out of output.txt. */
  rejected?: Set<string>;
  /** How long a partial side-call batch (judge, verifier) waits for more items. */
  sideGatherMs?: number;
};

/**
 * In-memory state of the run being produced. A batch goes one way through it: the ledger
 * classifies -> the writer commits (DB, then output.txt) -> the optimiser observes -> the run's
 * bus announces it (`events`, run-events.ts). Its state is private, changed only here; readers
 * get read-only views. Committed entries are numbered in acceptance order and the writer never
 * drops one; an entry merged away later (dedup-review.ts) leaves a gap, the others keep their seq.
 */
export class ActiveRun {
  readonly id: string;
  readonly slug: string;
  readonly config: Readonly<RunConfig>;
  readonly secretHash: string;
  readonly startedAt: number;
  /** Changed only by the state machine (run-state.ts), through enter(). */
  private currentMode: RunMode;
  private readonly ledger: EntryLedger;
  private readonly runMetrics: RunMetrics;
  readonly metrics: Pick<RunMetrics, "snapshot" | "overallTally">;
  readonly optimizer: Optimizer;
  readonly output: OutputFile;
  readonly writer: EntryWriter;
  /** The topic tree (tree runs); null in flat runs. */
  readonly tree: RunTree | null;
  private readonly recent: NewestEntry[] = [];
  /** The latest committed entries, oldest first (at most 50). */
  readonly newest: ReadonlyArray<Readonly<NewestEntry>> = this.recent;
  private candidates: number;
  private spentUsd: number;
  /** The run's earlier stretches (stored): its first start, the time they ran, and the list. */
  readonly earlier: Readonly<NonNullable<ActiveRunParts["earlier"]>>;
  private readonly bus: EventBus<RunEventMap>;
  /** The run's events (run-events.ts): others subscribe, only the run emits. */
  readonly events: RunEvents;
  private nextSeq: number;
  private readonly batches = new BatchOnce();
  private readonly calls = new CallTallies();
  /** Distinct calls, producers and models that proposed each entry (src/lib/trust/support.ts). */
  private readonly supportBook: SupportBook;
  readonly support: Pick<SupportBook, "get" | "modelsOf" | "callsOf" | "fromRepeatingAnswer" | "shownTo">;
  /** Seqs of entries merged away: support queued for them before the merge is not written. */
  private readonly removedSeqs = new Set<number>();
  /** Seqs of entries classified unique and not yet committed: a re-proposal in flight updates them by seq. */
  private readonly pendingSeqs = new Map<string, number>();
  /** The run's side calls (judge and verifier share concurrency, budget and shutdown). */
  readonly side: SideCalls;
  /** The run's dedup judge (judge-queue.ts), when it is on: told of committed kept-apart pairs. */
  readonly judge: JudgeQueue | undefined;
  /** The run's verifier (verify-queue.ts), when it is on: told of committed entries. */
  readonly verifier: VerifyQueue | undefined;
  /** Texts of rejected entries: still entries (and in the dedup index), not in output.txt. */
  private readonly rejectedTexts: Set<string>;
  readonly rejected: ReadonlySet<string>;

  constructor(p: ActiveRunParts) {
    this.id = p.id;
    this.slug = p.slug;
    this.config = p.config;
    this.currentMode = p.mode;
    this.secretHash = p.secretHash;
    this.startedAt = p.startedAt;
    this.ledger = p.ledger;
    this.metrics = this.runMetrics = p.metrics;
    this.optimizer = p.optimizer;
    this.output = p.output;
    this.candidates = p.totalCandidates;
    this.spentUsd = p.costUsd;
    this.earlier = p.earlier ?? { firstStartedAt: null, activeMs: 0, stretches: [] };
    this.nextSeq = Math.max(p.ledger.lastSeq, p.maxUsedSeq ?? 0) + 1;
    this.support = this.supportBook = p.support ?? new SupportBook();
    this.events = this.bus = new EventBus((err, kind) => p.log("error", `run event "${String(kind)}": ${errorMessage(err)}`));
    this.writer = new EntryWriter({
      insert: (rows, decisions, supports) => p.insert(rows, decisions, this.supportToWrite(rows, supports)),
      append: (texts) => p.output.append(texts, () => [...this.outputLines(), ...texts]),
      onCommitted: (rows, decisions) => {
        this.recordCommitted(rows);
        this.bus.emit("committed", { rows, decisions });
      },
      onError: (err, attempt) => p.log("error", `writing entries (attempt ${attempt}): ${errorMessage(err)}`),
    });
    this.tree = p.tree ? new RunTree(p.tree) : null;
    this.tree?.events.on("spend", ({ call, costUsd }) => this.observeServerCall(call, costUsd, "tree"));
    this.tree?.events.on("tree", (change) => this.bus.emit("tree", change));
    this.rejected = this.rejectedTexts = p.rejected ?? new Set();
    this.side = new SideCalls({ gatherMs: p.sideGatherMs ?? 2_000, log: p.log });
    this.judge = p.makeJudge?.(this);
    this.verifier = p.makeVerifier?.(this);
    this.rename = p.rename;
    this.log = p.log;
  }

  get mode(): RunMode {
    return this.currentMode;
  }

  /** The state machine's hook (run-state.ts, after the DB write): the run takes the mode and announces it. */
  enter(change: ModeChange): void {
    this.currentMode = change.to;
    this.bus.emit("mode", change);
  }

  get totalCandidates(): number {
    return this.candidates;
  }

  /** The run's whole spend: producers' calls and the server's own (tree, judge, verifier). */
  get costUsd(): number {
    return this.spentUsd;
  }

  /** The seq of a committed entry (or of the entry an alias was merged into). */
  seqOf(text: string): number | undefined {
    return this.ledger.seqOf(text);
  }
  /** The text of committed entry `seq` now (renamed to its display form, perhaps); undefined once merged away. */
  readonly textOf = (seq: number): string | undefined => this.ledger.textOf(seq);

  /** output.txt's lines: every committed entry not rejected, in seq order. */
  outputLines(): readonly string[] {
    return this.rejectedTexts.size === 0 ? this.committed : this.committed.filter((t) => !this.rejectedTexts.has(t));
  }

  /**
   * A verification verdict (or a user's restore): `persist` stores it first (false: the entry
   * is gone); a rejected entry then leaves output.txt, a restored one comes back. Runs in the
   * writer's exclusive slot, like a merge, so no append is in flight while the file is rewritten.
   */
  async setTrust(text: string, rejected: boolean, persist: () => Promise<boolean>): Promise<boolean> {
    return this.writer.exclusive(async () => {
      if (!(await persist())) return false;
      if (rejected !== this.rejectedTexts.has(text)) {
        this.rejectedTexts[rejected ? "add" : "delete"](text);
        await this.output.rewrite(this.outputLines());
      }
      this.bus.emit("revised", { kind: "trust" });
      return true;
    });
  }

  /**
   * One verification call's verdicts: stored together (`persist`); when some are rejections,
   * output.txt is rewritten once, in the writer's exclusive slot. Verdicts that keep entries in
   * the file do not wait for the slot (under load it queues behind every pending commit).
   */
  async applyVerdicts(rejectedTexts: readonly string[], persist: () => Promise<void>): Promise<void> {
    if (rejectedTexts.length === 0) await persist();
    else
      await this.writer.exclusive(async () => {
        await persist();
        const live = rejectedTexts.filter((t) => this.ledger.seqOf(t) !== undefined && !this.rejectedTexts.has(t));
        if (live.length === 0) return;
        for (const t of live) this.rejectedTexts.add(t);
        await this.output.rewrite(this.outputLines());
      });
    this.bus.emit("revised", { kind: "verdicts" });
  }

  /** Stops the side calls: the verifier's queue and the judge's are dropped, calls in flight aborted. */
  async closeSideCalls(): Promise<void> {
    this.verifier?.close();
    await this.judge?.close();
    await this.side.close();
  }

  private readonly rename: ActiveRunParts["rename"];
  private readonly log: ActiveRunParts["log"];
  private displayBusy = false;

  /**
   * Entries whose display form changed (a cased form after an all-capitals one, the bare name merged
   * into a described entry): stored, then output.txt rewritten, in the writer's exclusive slot, once.
   */
  private refreshDisplayForms(): void {
    if (this.displayBusy || !this.rename || !this.ledger.hasDisplayChanges) return;
    this.displayBusy = true;
    this.writer
      .exclusive(async () => {
        if (await this.applyDisplayForms()) await this.output.rewrite(this.outputLines());
      })
      .catch((err: unknown) => this.log("warn", `display forms: ${errorMessage(err)}`))
      .finally(() => {
        this.displayBusy = false;
      });
  }

  /** Inside writer.exclusive: stores and applies pending display forms; true when any changed. */
  private async applyDisplayForms(): Promise<boolean> {
    if (!this.rename) return false;
    const changes = this.ledger.displayChanges();
    if (changes.length === 0) return false;
    await this.rename(changes.map((c) => ({ seq: c.seq, text: c.to, normalisedKey: canonicalKey(c.to) })));
    for (const c of changes) {
      this.ledger.rename(c.from, c.to);
      this.supportBook.rename(c.from, c.to);
      if (this.rejectedTexts.delete(c.from)) this.rejectedTexts.add(c.to);
      for (const n of this.recent) if (n.seq === c.seq) n.text = c.to;
    }
    return true;
  }

  /** When the run first started, and its time running over every stretch so far. */
  history(now: number): { firstStartedAt: number; activeMs: number } {
    return { firstStartedAt: this.earlier.firstStartedAt ?? this.startedAt, activeMs: this.earlier.activeMs + Math.max(0, now - this.startedAt) };
  }

  /** The committed entries in seq order (ledger.seqs[i] is committed[i]'s seq). */
  get committed(): readonly string[] {
    return this.ledger.texts;
  }

  get totalUnique(): number {
    return this.committed.length;
  }

  totals(): RunTotals {
    const t = this.runMetrics.overallTally();
    return { totalUnique: this.totalUnique, totalCandidates: this.candidates, totalDupExact: t.dupExact, totalDupNear: t.dupNear, totalJunk: t.junk };
  }

  /** The committed entries after `sinceSeq` a producer does not have yet (a page of them). */
  delta(sinceSeq: number): Delta {
    return this.ledger.delta(sinceSeq, MAX_DELTA_ENTRIES);
  }

  /**
   * Forgets a committed entry merged into another (inside writer.exclusive, after the DB):
   * the ledger drops it, output.txt is rewritten without it.
   */
  async forgetMerged(text: string, into: string): Promise<void> {
    const seq = this.ledger.seqOf(text);
    if (!this.ledger.merge(text, into)) return;
    if (seq !== undefined) this.removedSeqs.add(seq);
    this.supportBook.merge(text, into);
    this.rejectedTexts.delete(text);
    const i = this.recent.findIndex((n) => n.text === text);
    if (i >= 0) this.recent.splice(i, 1);
    // The merged text may be the entry's better display form (its bare name, a cased form).
    await this.applyDisplayForms();
    await this.output.rewrite(this.outputLines());
    this.bus.emit("revised", { kind: "merged" });
  }

  /** A merged candidate as a new entry at the end (a restore), or null when it would repeat an entry. */
  restoredRow(text: string, who: { producer: string; provider: string; model: string }, now: number): EntryRow | null {
    const admitted = this.ledger.admit(text);
    if (admitted === null) return null;
    this.supportBook.propose(admitted.text, { callId: undefined, producer: who.producer, model: targetLabel(who) });
    return { seq: this.nextSeq++, text: admitted.text, normalisedKey: admitted.key, ...who, batchId: "restore", createdAt: new Date(now) };
  }

  /** Applies a batch once; a retried batchId gets the first outcome. */
  submit(input: SubmitInput, target: { provider: string; model: string }, now: number): { outcome: Promise<BatchOutcome>; replay: boolean } {
    return this.batches.run(input.batchId, () => this.apply(input, target, now));
  }

  /** Counts a finished call (its record is already stored once): spend, tallies, routing evidence. */
  observeCall(producer: string, call: CallRecord, costUsd: number, now: number, branchId?: number): void {
    const tally = this.calls.close(call.callId);
    this.supportBook.answered(call);
    this.runMetrics.call(producer, targetLabel(call), call, costUsd);
    this.optimizer.observeCall(callObservation(producer, call, tally, costUsd, now));
    this.tree?.observeCall(producer, call, costUsd, branchId);
    this.spend("producer", call, costUsd);
  }

  /** Counts a call the server made for this run (a breakdown, the judge, the verifier; its record is already stored once): spend and the run's figures. */
  observeServerCall(call: CallRecord, costUsd: number, source: Exclude<SpendSource, "producer">): void {
    this.runMetrics.serverCall(targetLabel(call), call, costUsd);
    this.spend(source, call, costUsd);
  }

  /** The only place the run's spend changes. */
  private spend(source: SpendSource, call: CallRecord, costUsd: number): void {
    this.spentUsd += costUsd;
    this.bus.emit("spend", { source, call, costUsd, totalUsd: this.spentUsd });
  }

  /** New entries a call produced so far (stored with its record). */
  newEntriesOf(callId: string): number {
    return this.calls.newEntries(callId);
  }

  private async apply(input: SubmitInput, target: { provider: string; model: string }, now: number): Promise<BatchOutcome> {
    const targetKey = targetLabel(target);
    const rows: EntryRow[] = [];
    const decisions: DecisionRow[] = [];
    const outcomes: Record<CandidateOutcome, number> = { unique: 0, dupExact: 0, dupNear: 0, junk: 0 };
    const observed: Array<[CandidateOutcome, number | undefined]> = [];
    const callTally = input.callId ? this.calls.of(input.callId) : undefined;
    const createdAt = new Date(now);
    const branchId = this.tree && input.branchId !== undefined && input.branchId < this.tree.tree.size ? input.branchId : undefined;
    const found: string[] = [];
    const reproposed: string[] = [];
    const who = { producer: input.producer, provider: target.provider, model: target.model };
    const proposal = { callId: input.callId, producer: input.producer, model: targetKey };
    const supported = new Set<string>();
    const listed = this.supportBook.shownTo(targetKey, this.rejectedTexts); // re-proposing what its prompt could not list is no sign of saturation
    for (const [index, raw] of input.candidates.entries()) {
      this.candidates++;
      const c = this.ledger.classify(raw, targetKey);
      if (c.outcome === "unique") {
        const seq = this.nextSeq++;
        this.supportBook.propose(c.text, proposal);
        this.pendingSeqs.set(c.text, seq);
        rows.push({ seq, text: c.text, normalisedKey: c.key, ...who, batchId: input.batchId, createdAt, branchId: branchId ?? null });
        found.push(c.text);
        for (const [j, m] of (c.borderline ?? []).entries()) {
          decisions.push({
            origin: `${input.batchId}:${index}:${j}`,
            kind: "kept-apart",
            candidate: c.text,
            candidateSeq: seq,
            entrySeq: this.ledger.seqOf(m.duplicateOf) ?? null,
            entryText: m.duplicateOf,
            reason: m.reason,
            edit: m.edit ?? null,
            cost: m.cost,
            sources: m.sources,
            verdict: null,
            ...who,
            at: createdAt,
          });
        }
      } else if (c.outcome === "dupExact" || c.outcome === "dupNear") {
        if (listed(c.duplicateOf)) reproposed.push(c.duplicateOf);
        if (this.supportBook.propose(c.duplicateOf, proposal)) supported.add(c.duplicateOf);
        if (c.outcome === "dupNear") {
          decisions.push({
            origin: `${input.batchId}:${index}`,
            kind: "merged",
            candidate: cleanCandidate(raw) ?? raw,
            candidateSeq: null,
            entrySeq: this.ledger.seqOf(c.duplicateOf) ?? null,
            entryText: c.duplicateOf,
            reason: c.reason,
            edit: null,
            cost: null,
            sources: null,
            verdict: null,
            ...who,
            at: createdAt,
          });
        }
      }
      observed.push([c.outcome, c.outcome === "dupExact" || c.outcome === "dupNear" ? c.previousProposals : undefined]);
      outcomes[c.outcome]++;
      this.runMetrics.candidate(input.producer, targetKey, c.outcome, now);
      if (callTally) callTally[c.outcome === "unique" ? "new" : c.outcome]++;
    }
    // An entry accepted earlier in this same batch has no recorded seq yet: take it from the rows.
    if (decisions.some((d) => d.entrySeq === null)) {
      const seqOf = new Map(rows.map((r) => [r.text, r.seq]));
      for (const d of decisions) d.entrySeq ??= seqOf.get(d.entryText) ?? null;
    }
    // Support of entries written earlier or in flight (a new row's is read again when it is written: supportToWrite).
    const earlier = [...supported].map((text) => ({ text, seq: this.ledger.seqOf(text) ?? this.pendingSeqs.get(text) ?? 0 }));
    await this.writer.write(rows, decisions, this.supportBook.beyondFirst(earlier.filter((e) => e.seq > 0)));
    // A repeat in another form (cased after all capitals) may change how an entry is written.
    this.refreshDisplayForms();
    this.tree?.observeCandidates(input.callId, branchId, found, reproposed);
    for (const [outcome, previous] of observed) this.optimizer.observeCandidate(outcome, previous);
    this.bus.emit("classified", { producer: input.producer, candidates: input.candidates.length, accepted: outcomes.unique });
    return { accepted: outcomes.unique, duplicates: outcomes.dupExact + outcomes.dupNear, outcomes };
  }

  /** A flush's support rows: those queued (not of entries merged away since), then its new rows' read now (newer: the last row of a seq wins). */
  private supportToWrite(rows: readonly EntryRow[], queued: readonly SupportRow[]): SupportRow[] {
    return [...queued.filter((s) => !this.removedSeqs.has(s.seq)), ...this.supportBook.beyondFirst(rows)];
  }

  /** Called by the writer, in seq order, once rows are in the DB and the file. */
  private recordCommitted(rows: readonly EntryRow[]): void {
    for (const r of rows) {
      this.ledger.record(r.text, r.seq);
      this.pendingSeqs.delete(r.text);
      this.recent.push({ seq: r.seq, text: r.text, producer: r.producer, target: targetLabel(r), at: r.createdAt.getTime() });
    }
    if (this.recent.length > 50) this.recent.splice(0, this.recent.length - 50);
  }
}
